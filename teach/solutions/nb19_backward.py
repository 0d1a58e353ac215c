"""Notebook 19, exercise 1: the two-conv network's backward pass, formula by formula, for a batch.

δ³ → δ² (the MLP rule), ∂E/∂p¹ (the full convolution with the 180°-rotated w², summed over the filters g),
δ¹ (seed 000's switch Γ and block index ⌊α/2⌋, times f′(z¹)); every parameter gradient sums over n.
"""

import numpy as np


def backward(dlogits, x, p, fwd):
    d3 = np.asarray(dlogits, dtype=float)  # δ³ = ∂E/∂z³; a mean loss has already put its 1/N into it
    x = np.asarray(x, dtype=float)
    N = len(d3)
    K2 = p.w2.shape[-1]  # square kernels, as in twoconv
    H1, W1 = fwd.z1.shape[2:]
    Hp, Wp = fwd.p1.shape[2:]
    H2, W2 = fwd.z2.shape[2:]
    pool = 2  # the max pool's window and stride

    # the dense layer: ∂E/∂w³_{k,q} = Σ_n δ³_{n,k} a²_{n,q}, ∂E/∂b³_k = Σ_n δ³_{n,k}
    dw3 = d3.T @ fwd.a2.reshape(N, -1)
    db3 = d3.sum(axis=0)
    # δ²_{n,g,i,j} = (Σ_k w³_{k,(g,i,j)} δ³_{n,k}) f′(z²_{n,g,i,j}), ReLU's f′(z) = [z > 0]
    d2 = (d3 @ p.w3).reshape(fwd.z2.shape) * (fwd.z2 > 0)

    # the second conv layer: ∂E/∂w²_{g,f,r,s} = Σ_n Σ_{i,j} δ²_{n,g,i,j} p¹_{n,f,i+r,j+s}
    dw2 = np.zeros(p.w2.shape)
    for g, f, r, s in np.ndindex(p.w2.shape):
        dw2[g, f, r, s] = np.sum(d2[:, g] * fwd.p1[:, f, r : r + H2, s : s + W2])
    db2 = d2.sum(axis=(0, 2, 3))
    # ∂E/∂p¹_{n,f,u,v} = Σ_g Σ_{r,s} w²_{g,f,r,s} δ²_{n,g,u−r,v−s}: pad δ² with K2 − 1 zeros on every
    # side and slide the kernels turned by 180° over it, adding up what every filter g sends back
    d2_pad = np.pad(d2, ((0, 0), (0, 0), (K2 - 1, K2 - 1), (K2 - 1, K2 - 1)))
    w2_rot = p.w2[:, :, ::-1, ::-1]
    dp1 = np.zeros(fwd.p1.shape)
    for f in range(dp1.shape[1]):
        for u in range(Hp):
            for v in range(Wp):
                window = d2_pad[:, :, u : u + K2, v : v + K2]  # (N, C2, K2, K2)
                dp1[:, f, u, v] = np.sum(window * w2_rot[:, f], axis=(1, 2, 3))

    # δ¹_{n,f,α,β} = ∂E/∂p¹_{n,f,⌊α/2⌋,⌊β/2⌋} Γ_{n,f,α,β} f′(z¹_{n,f,α,β}); rows and columns beyond the
    # last whole window belong to no window: their δ¹ stays 0
    d1 = np.zeros(fwd.z1.shape)
    for a in range(pool * Hp):
        for b in range(pool * Wp):
            d1[:, :, a, b] = (
                dp1[:, :, a // pool, b // pool] * fwd.gamma[:, :, a, b] * (fwd.z1[:, :, a, b] > 0)
            )
    # the first conv layer: ∂E/∂w¹_{f,c,r,s} = Σ_n Σ_{i,j} δ¹_{n,f,i,j} x_{n,c,i+r,j+s}
    dw1 = np.zeros(p.w1.shape)
    for f, c, r, s in np.ndindex(p.w1.shape):
        dw1[f, c, r, s] = np.sum(d1[:, f] * x[:, c, r : r + H1, s : s + W1])
    db1 = d1.sum(axis=(0, 2, 3))
    return dw1, db1, dw2, db2, dw3, db3

/* The course site's glue for embedded Jupyter widgets, loaded by myst-nb on every page whose notebook
 * stores widget state: after require.js, before @jupyter-widgets/html-manager's embed-amd.js
 * (nb_ipywidgets_js in book/_config.yml). Both copies are served from _static/vendor/. */
(function () {
  "use strict";

  // 1. embed-amd.js defines its modules under the ids below and loads their fonts (Font Awesome, for
  //    the Play widget's buttons) from the folder require.js resolves those ids to. By default that is
  //    the page's own folder; point the ids at the site's copy of the package instead.
  var dist = new URL("vendor/html-manager/", document.currentScript.src).href;
  var paths = { "@jupyter-widgets/html-manager/dist/libembed-amd": dist + "libembed-amd" };
  ["base", "base7", "controls", "controls7", "html-manager"].forEach(function (id) {
    paths["@jupyter-widgets/" + id] = dist + id;
  });
  window.require.config({ paths: paths });

  // 2. ipywidgets 8 typesets LaTeX in widget labels with MathJax 2's MathJax.Hub.Queue(["Typeset",
  //    MathJax.Hub, element]); the site runs MathJax 3, so forward those calls to typesetPromise.
  //    MathJax is a deferred script: it has run by DOMContentLoaded, widgets render after that.
  document.addEventListener("DOMContentLoaded", function () {
    var mj = window.MathJax;
    if (!mj || !mj.startup || mj.Hub) {
      return;
    }
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (Array.isArray(job) && job[0] === "Typeset" && job[2]) {
            mj.startup.promise.then(function () {
              return mj.typesetPromise([job[2]]);
            });
          }
        });
      },
    };
  });
})();

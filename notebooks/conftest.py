"""nbval runs each notebook in a fresh kernel that inherits this process's environment.

SymPy wraps its text output at ``COLUMNS`` characters, so a shell that exports a wide terminal
width would change the stored outputs nbval compares. Pin it for every notebook kernel.
"""

import os

os.environ["COLUMNS"] = "80"

"""Reading the change: where the changed files come from and which lines changed in meaning.

- ``_inputs``: the changed files from git against a base, a unified diff, or paths given;
- ``_git``: the git commands obs-ci runs (the base, the diff, the tracked files);
- ``_diff``: a unified diff's files and added lines;
- ``_meaning``: which changed lines change what the code does (not its formatting);
- ``_files``: reading a source file safely (regular files only, bounded).

Nothing is imported here: the modules are imported by name, so the engine can use the
lower ones without loading the inputs.
"""

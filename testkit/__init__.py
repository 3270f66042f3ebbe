"""What the tests and the benchmarks share: the operations and documents they send, the
processes and databases they start, and the figures they compute.

Not part of the product (pyproject.toml leaves it out of the wheel); importable from the
repository's root, where pytest and `python -m bench...` run. It imports the product's
packages, never tests/ or bench/.
"""

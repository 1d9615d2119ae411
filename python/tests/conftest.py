import os
import sys

# The host helper lives next to the tests.
sys.path.insert(0, os.path.dirname(__file__))

import os
import sys

# The host helper lives next to the tests; the gradlens package (imported in-process by the
# tests of gradlens.show) one folder up.
sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

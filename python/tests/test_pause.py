"""Pausing without signals: a read that keeps the GIL holds every other thread of the script."""
import os
import subprocess
import sys
import threading
import time

from gradlens.pause import Gate, gil_holding_read


def test_a_gil_holding_read_stops_a_pure_python_loop():
    read = gil_holding_read()
    assert read is not None  # CPython with a GIL on Linux
    r, w = os.pipe()
    go_r, go_w = os.pipe()
    # Another process answers, 0.6 s after it is told that the read begins (its own start-up
    # may take longer than that on a loaded machine): a thread of ours could not run while the
    # read holds the GIL.
    answer = "import os, sys, time; os.read(int(sys.argv[2]), 1); time.sleep(0.6); os.write(int(sys.argv[1]), b'resume')"
    writer = subprocess.Popen([sys.executable, "-c", answer, str(w), str(go_r)], pass_fds=(w, go_r))
    os.close(w)
    os.close(go_r)
    counts = []
    stop = threading.Event()

    def loop():
        n = 0
        while not stop.is_set():
            n += 1
            counts.append((time.monotonic(), n))

    thread = threading.Thread(target=loop)
    thread.start()
    time.sleep(0.1)
    started = time.monotonic()
    os.write(go_w, b"g")
    assert read(r, 16) == b"resume"
    ended = time.monotonic()
    time.sleep(0.1)
    stop.set()
    thread.join()
    writer.wait()
    os.close(r)
    os.close(go_w)
    assert ended - started > 0.3
    # Some silence of the loop covers more than 0.3 s of the read. (Not "no sample after
    # `started`", nor "none before `ended`": on a loaded machine the loop may run a moment
    # before the read takes the GIL, and after it gives it back but before `ended` is read;
    # nor "the longest silence": the machine may stall the loop longer at another time.)
    covered = max(min(t1, ended) - max(t0, started) for (t0, _), (t1, _) in zip(counts, counts[1:]))
    assert covered > 0.3
    assert counts[-1][0] > ended  # the loop went on afterwards


def test_the_fallback_gate_holds_a_checkpoint_until_opened():
    gate = Gate()
    said = []
    gate.on_wait = said.append
    gate.checkpoint()  # open: passes without a word
    gate.close()
    passed = threading.Event()

    def script():
        gate.checkpoint()
        passed.set()

    thread = threading.Thread(target=script)
    thread.start()
    assert not passed.wait(0.3)
    gate.open()
    assert passed.wait(5)
    thread.join()
    assert said == [True, False]

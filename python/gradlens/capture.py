"""Graph capture inside the runner (mirrors src/runner/capture.ts). Cheap by default: ops
are recorded only while a full capture is armed (before the first backward(), before the
N-th with captureAt N, after a request from the host), so ordinary training steps pay for
one metric record and a walk of the graph's node names."""
from __future__ import annotations

import functools
import math
import sys
import time
import weakref
from dataclasses import dataclass
from types import FrameType
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch

from . import features, graph
from .compiling import traced_by_torch
from .graph import GraphTooLarge, signature, structure
from .leafnames import LeafNames
from .loops import in_loop, passes_left
from .metrics import MetricStream
from .pause import GATE
from .protocol import Json, RunOptions
from .recorder import Recorder
from .snapshots import Pending, SnapshotBuilder
from .summary import GradNorms, Summary, summarize
from .userframes import frame_location, user_frame
from .wire import encode_num

# With captureAt "last", at most this many backward() calls are captured in full before
# the graphs repeat.
MAX_AUTO_CAPTURES = 20
# The first steps of a loop have their graph structure checked; after them, every this many.
STRUCTURE_EVERY = 8
STRUCTURE_EVERY_LATER = 32
# A steady loop's checks that find the same graph space out, doubling up to this many steps
# apart: a walk finds the graph's nodes cold and leaves the next steps' torch code cold too,
# which costs a loop of small steps more than the walk's own time.
STRUCTURE_EVERY_MAX = 256
# Structure checks beyond the second step's stay under this share of the run's time (a big
# graph's walk costs a good part of its training step).
WALK_SHARE = 0.02
# Gradient norms of a fast loop's steps are taken at most this often (seconds).
NORM_INTERVAL = 0.02


class Sink:
    """Where the capture's results go (the runner's channel)."""

    def snapshot(self, snapshot: Json) -> None: ...
    def metrics(self, columns: Json, stride: int) -> None: ...
    def error(self, kind: str, message: str) -> None: ...
    def notice(self, kind: str, message: str) -> None: ...
    def stop(self) -> None: ...


@dataclass
class LastBackward:
    index: int
    trigger: str
    roots: List[torch.Tensor]
    call_site: Optional[Json]


class Capture:
    def __init__(self, options: RunOptions, sink: Sink, started: float) -> None:
        self.options = options
        self.sink = sink
        self.started = started
        self.count = 0
        self.requested = False
        self._asked = False
        self.flagged_non_finite = False
        self.recorder = Recorder()
        self.has = features.available(torch)
        self.last: Optional[LastBackward] = None
        self.last_full_index = 0
        # The graph repeats the one checked before it: the script is in a loop.
        self.repeating = False
        # The last full capture was called from a loop: the next backward() is expected to
        # repeat its graph, so its forward is not recorded (a structure check confirms it).
        self.expect_repeat = False
        # Steps of a repeating loop take the steady path: nothing armed, nothing to capture.
        self._steady = False
        # The steady step that checks the graph's structure, and the steps to the next check.
        self._check_at = 0
        self._check_every = STRUCTURE_EVERY_LATER
        # Steady steps stop short of this backward() (see _steady_limit), and are called
        # from this instruction.
        self._steady_until = 0
        # Steady steps from this backward() on keep their gradients (see _keeps_grads).
        self._keep_grads_from = 0
        self._site_code: Any = None
        self._site_lasti = -1
        # The backward() count at the last optimizer zero_grad().
        self._zeroed_at = 0
        # The optimizer made, stepped or zeroed last: its learning rate goes in the record.
        self._optimizer: Optional["weakref.ref[Any]"] = None
        # The backward() foreseen as a training loop's last: captured in full like any other,
        # so the last graph shown has its values and backward flow (a rebuild at the end of
        # the run has neither). Foreseen from the loops' range(...) at the loop's first full
        # capture (backward index, passes left), and trusted once the next backward() comes
        # one pass later.
        self._last_foreseen: Optional[int] = None
        self._foresight: Optional[Tuple[int, int]] = None
        self.names = LeafNames()
        self.snapshots = SnapshotBuilder(options, self.has, self.recorder, sink.notice, self.names, self._kept_grad)
        self._last_sig: Optional[int] = None
        self._last_leaves: Optional[List[torch.Tensor]] = None
        self._norms_at = 0.0
        self._last_kind: Optional[type] = None
        self._first_at = 0.0
        self._walk_seconds = 0.0
        # The last scalar backward's named gradients: (step, [(leaf, grad, grad's version)]).
        self._kept_step: Tuple[int, List[Tuple[torch.Tensor, torch.Tensor, int]]] = (0, [])
        self._norms = GradNorms()
        self._depth = 0
        # Recording stopped for an optimizer's step() or zero_grad(), to resume after it.
        self._optimizer_paused = False
        self.metrics = MetricStream(sink.metrics)
        # The backward() whose graph was over the walk cap (0: none): ops are not recorded
        # and backward() calls not captured until a later structure walk sees the graph change.
        self._over_cap = 0
        self._told_over_cap = False

    # ---- installation -----------------------------------------------------------------

    def install(self) -> None:
        """Wraps backward() and autograd.grad, hooks optimizer steps, arms the first capture."""
        tensor_backward = torch.Tensor.backward
        autograd_backward = torch.autograd.backward
        autograd_grad = torch.autograd.grad
        has_torch_function = torch.overrides.has_torch_function_unary
        gate = GATE

        @functools.wraps(tensor_backward)
        def backward(tensor: torch.Tensor, gradient: Any = None, retain_graph: Any = None, create_graph: bool = False, inputs: Any = None) -> Any:
            if self._depth > 0:
                return tensor_backward(tensor, gradient, retain_graph, create_graph, inputs=inputs)
            if has_torch_function(tensor):
                # A tensor subclass or a function mode: Tensor.backward dispatches it, and its
                # call of torch.autograd.backward passes through (depth > 0).
                return self.around("backward", [tensor], lambda: tensor_backward(tensor, gradient, retain_graph, create_graph, inputs=inputs), _listed(inputs))
            # One wrapper layer: what Tensor.backward itself would call.
            if self._steady and gradient is None and inputs is None and not gate.closed:
                loss = self._steady_loss(tensor, sys._getframe(1))
                if loss is not None:
                    k = self.count = self.count + 1
                    self._depth = 1
                    try:
                        autograd_backward(tensor, None, retain_graph, create_graph)
                    finally:
                        self._depth = 0
                    self._record_steady(k, tensor, loss)
                    return None
            if traced_by_torch([tensor]):
                return tensor_backward(tensor, gradient, retain_graph, create_graph, inputs=inputs)
            return self.around("backward", [tensor], lambda: autograd_backward(tensor, gradient, retain_graph, create_graph, inputs=inputs), _listed(inputs))

        @functools.wraps(autograd_backward)
        def backward_fn(tensors: Any, *args: Any, **kwargs: Any) -> Any:
            if self._depth > 0:  # called by Tensor.backward
                return autograd_backward(tensors, *args, **kwargs)
            roots = [tensors] if isinstance(tensors, torch.Tensor) else list(tensors)
            if traced_by_torch(roots):
                return autograd_backward(tensors, *args, **kwargs)
            # torch.autograd.backward(tensors, grad_tensors, retain_graph, create_graph, grad_variables, inputs)
            given = kwargs.get("inputs", args[4] if len(args) > 4 else None)
            return self.around("backward", roots, lambda: autograd_backward(tensors, *args, **kwargs), _listed(given))

        @functools.wraps(autograd_grad)
        def grad_fn(outputs: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
            roots = [outputs] if isinstance(outputs, torch.Tensor) else list(outputs)
            if traced_by_torch(roots):
                return autograd_grad(outputs, inputs, *args, **kwargs)
            return self.around("autograd.grad", roots, lambda: autograd_grad(outputs, inputs, *args, **kwargs), _listed(inputs))

        torch.Tensor.backward = backward  # type: ignore[assignment]
        torch.autograd.backward = backward_fn  # type: ignore[assignment]
        torch.autograd.grad = grad_fn  # type: ignore[assignment]
        self._hook_optimizer()
        self.metrics.start_timer()
        self._set_armed(self._should_capture(1))

    def _hook_optimizer(self) -> None:
        import torch.optim.optimizer as optimizer_module

        step_hook = self.has[features.OPTIMIZER_STEP_HOOK]
        if step_hook:
            pre_hook = getattr(optimizer_module, "register_optimizer_step_pre_hook", None)
            if pre_hook is not None:
                pre_hook(lambda opt, args, kwargs: self._before_optimizer(opt, _has_closure(args, kwargs)))
            optimizer_module.register_optimizer_step_post_hook(lambda opt, args, kwargs: self._on_step(opt))
        # zero_grad() starts a training step: a host request taken there arms the capture
        # before the forward, so the next backward has op values. Older torch has no step
        # hook: `step` is wrapped the same way, per optimizer class as its first instance is made.
        init = torch.optim.Optimizer.__init__
        capture = self

        @functools.wraps(init)
        def wrapped_init(opt: Any, *args: Any, **kwargs: Any) -> None:
            init(opt, *args, **kwargs)
            capture._use_optimizer(opt)
            cls = type(opt)
            recorder = capture.recorder
            _wrap_method(cls, "zero_grad", recorder, lambda opt, args, kwargs: capture._before_optimizer(opt, False), capture._on_zero_grad)
            if not step_hook:
                _wrap_method(cls, "step", recorder, lambda opt, args, kwargs: capture._before_optimizer(opt, _has_closure(args, kwargs)), capture._on_step)

        torch.optim.Optimizer.__init__ = wrapped_init  # type: ignore[assignment]

    # ---- host requests and policy -----------------------------------------------------

    def request(self) -> None:
        """The host asked for a full capture of the next backward() (called on the reader
        thread: the main thread takes it up at its next backward or optimizer step). A plain
        flag: the steady path reads it every step."""
        self._asked = True

    def _take_request(self) -> None:
        if self._asked:
            self._asked = False
            self.requested = True

    def _should_capture(self, k: int) -> bool:
        at = self.options.capture_at
        if k == 1 or at == "all" or at == k or self.requested or k == self._last_foreseen:
            return True
        # For "last", capture in full until the graphs start repeating (a training loop);
        # the last one is then rebuilt at the end from the repeating template.
        return at == "last" and not self.repeating and not self.expect_repeat and k <= MAX_AUTO_CAPTURES

    def _set_armed(self, on: bool) -> None:
        if on and not self._over_cap:
            self.recorder.arm()
        else:
            self.recorder.disarm()

    def _before_optimizer(self, optimizer: Any, closure: bool) -> None:
        """An armed capture stops recording for the optimizer's step() and zero_grad(): their
        ops run without grad and make no graph nodes, yet through the function mode each
        costs more than itself (an Adam step is dozens of them). Not for a step given a
        closure (LBFGS runs the forward in it) or a differentiable optimizer."""
        if self.recorder.recording and not closure and not _differentiable(optimizer):
            self.recorder.pause()
            self._optimizer_paused = True

    def _after_optimizer(self) -> None:
        self._optimizer_paused = False
        self.recorder.resume()

    def _use_optimizer(self, optimizer: Any) -> None:
        try:
            self._optimizer = weakref.ref(optimizer)
        except TypeError:  # a class with __slots__ and no __weakref__
            self._optimizer = None

    # Called at every zero_grad() and step(): a training loop's steady steps pay only for
    # the checks, inlined.
    def _on_zero_grad(self, optimizer: Any) -> None:
        if self._optimizer_paused:
            self._after_optimizer()
        ref = self._optimizer
        if ref is None or ref() is not optimizer:
            self._use_optimizer(optimizer)
        self._zeroed_at = self.count
        if self._asked:
            self._take_request()
            self._set_armed(True)

    def _on_step(self, optimizer: Any) -> None:
        if self._optimizer_paused:
            self._after_optimizer()
        if self._depth > 0:
            return
        ref = self._optimizer
        if ref is None or ref() is not optimizer:
            self._use_optimizer(optimizer)
        if self._asked:
            self._take_request()
            self._set_armed(True)

    # ---- around each backward -----------------------------------------------------------

    def around(self, trigger: str, roots: List[torch.Tensor], run: Callable[[], Any], inputs: Optional[List[torch.Tensor]] = None) -> Any:
        """`inputs`: the tensors gradients are asked for (autograd.grad's, backward()'s `inputs=`)."""
        # Tensor.backward calls torch.autograd.backward: one user call, one count.
        if self._depth > 0:
            return run()
        GATE.checkpoint()
        caller = sys._getframe(2)  # around <- the wrapper <- the caller of backward()
        if self._steady and trigger == "backward" and len(roots) == 1:
            loss = self._steady_loss(roots[0], caller)
            if loss is not None:
                return self._steady_step(roots[0], run, loss)
        self._depth += 1
        self.recorder.busy = True
        self.recorder.pause()
        try:
            return self._around(trigger, roots, run, inputs, caller)
        finally:
            self.recorder.busy = False
            self.recorder.resume()
            self._depth -= 1

    def _steady_loss(self, root: torch.Tensor, caller: FrameType) -> Optional[float]:
        """The loss of a backward() that can take the steady path, else None: no host
        request or capture is due before step `_steady_until`, backward()
        is called from the same place as the step before (a new phase of the script usually
        calls it from elsewhere; reading the output's node kind would cost more, as it makes
        a Python object of the node), and its loss is a finite scalar."""
        if self.count + 1 >= self._steady_until or self._asked or self.requested or caller.f_code is not self._site_code or caller.f_lasti != self._site_lasti:
            return None
        try:
            loss = root.item()
        except RuntimeError:  # not a scalar
            return None
        if type(loss) is not float or loss - loss != 0:  # complex, or NaN/Inf (NaN - NaN is NaN)
            return None
        return loss

    def _steady_step(self, root: torch.Tensor, run: Callable[[], Any], loss: float) -> Any:
        k = self.count = self.count + 1
        self._depth += 1
        try:
            result = run()
        finally:
            self._depth -= 1
        self._record_steady(k, root, loss)
        return result

    def _record_steady(self, k: int, root: torch.Tensor, loss: float) -> None:
        """A steady step's record: its metric, and what the rebuild at the end would need."""
        if k == self._check_at:
            self._steady_check(k, root)
        if k >= self._keep_grads_from:
            self._keep_grads(k, self.names.named(self._last_leaves or []))
        metrics = self.metrics
        if k % metrics.stride == 0:
            now = time.perf_counter()
            # Norms are due seldom: the named leaves are looked up only then.
            if k <= STRUCTURE_EVERY or now - self._norms_at >= NORM_INTERVAL:
                self._sample_norms(k, self.names.named(self._last_leaves or []), now)
            metrics.add(k, loss, (now - self.started) * 1000, _learning_rate(self._optimizer), now)
        last = self.last
        if last is not None:
            last.index, last.trigger, last.roots, last.call_site = k, "backward", [root], None

    def _steady_check(self, k: int, root: torch.Tensor) -> None:
        """A steady step's structure check (after its backward: the walk needs node types and
        leaves only). The same graph keeps the loop steady; another arms a full capture of the
        next backward(), as _after does for the steps that leave the steady path."""
        self._check_at = k + self._check_every
        if not self._within_walk_budget():
            return
        sig, leaves = self._walk([root])
        self._last_leaves = leaves
        if sig == self._last_sig:
            self._check_every = min(2 * self._check_every, STRUCTURE_EVERY_MAX)
            return
        self._last_sig = sig
        self.repeating = False
        self._structure_changed(k)
        self._set_armed(self._should_capture(k + 1))
        self._steady = False

    def _steady_limit(self) -> int:
        """The first backward() after this one that must not take the steady path: a capture
        (captureAt N, or the foreseen last step) or the backward() before it, whose ops must
        be recorded."""
        k = self.count
        # Structure checks run on the steady path itself (_steady_check).
        self._check_at = (k // STRUCTURE_EVERY_LATER + 1) * STRUCTURE_EVERY_LATER
        self._check_every = STRUCTURE_EVERY_LATER
        limit = 1 << 62
        for target in (self.options.capture_at, self._last_foreseen):
            if isinstance(target, int) and not isinstance(target, bool) and target > k + 1:
                limit = min(limit, target - 1)
        return limit

    def _around(self, trigger: str, roots: List[torch.Tensor], run: Callable[[], Any], inputs: Optional[List[torch.Tensor]], caller: FrameType) -> Any:
        k = self.count = self.count + 1
        if k == 1:
            self._first_at = time.perf_counter()
        self.recorder.modules.reset()
        self.recorder.new_graph()
        self._take_request()
        scalar = trigger == "backward" and len(roots) == 1 and roots[0].numel() == 1
        loss = _read_scalar(roots[0]) if scalar else math.nan
        non_finite = scalar and not math.isfinite(loss)
        full = (self._should_capture(k) or (non_finite and not self.flagged_non_finite)) and not self._over_cap
        walked = None
        if full and self._auto_only(k, non_finite):
            walked = structure(roots)
            if walked[0] == self._last_sig:
                # The same graph as the full capture just before: a loop. A second full capture
                # would only confirm that, at the cost of a large graph's values and hooks.
                self.repeating = True
                full = False
        stop = self.options.stop_after
        confirming = self._foresight is not None and self._foresight[0] == k - 1
        # Finding the user's frame costs a frame walk: only for captures, "Run backward" and
        # the check of a foreseen last step.
        site = user_frame(sys._getframe(2)) if full or stop is not None or confirming else None
        if confirming:
            self._confirm_foresight(k, site)
        call_site = frame_location(site) if site is not None else None
        stop_here = stop is not None and call_site is not None and call_site["line"] == stop.line and _same_file(call_site["file"], stop.file)
        full = full or stop_here or (k == self._last_foreseen and not self._over_cap)
        pending: Optional[Pending] = None
        if full:
            self.requested = False
            if self.options.capture_at == "last":
                self.expect_repeat = in_loop(site)
                if self.expect_repeat:
                    self._foresee(k, site)
            pending = self._begin_safely(k, trigger, roots, call_site, live=True, partial=inputs is not None)
            if pending is not None:
                walked = signature(pending.order)
        try:
            result = run()
        finally:
            if pending is not None:
                for h in pending.hooks:
                    h.remove()
        if pending is not None:
            snapshot = self._complete_safely(pending, inputs if trigger == "autograd.grad" else None, result, live=True, frame=site)
            if snapshot is not None:
                if snapshot["anomalies"]:
                    self.flagged_non_finite = True
                self.last_full_index = k
                self.sink.snapshot(snapshot)
                if self.recorder.full:
                    self._say_over_cap(f"more than {graph.MAX_WALK:,} nodes were made before backward() #{k}: ops after them were not recorded, so part of its graph has no values or source lines")
        del site
        self._after(k, trigger, roots, call_site, pending is not None, scalar, loss, walked)
        if non_finite and self.last_full_index == k and not self.snapshots.has_precise_anomaly:
            # A non-finite loss not yet explained: capture the next step in full to name the op.
            self.requested = True
        self._set_armed(self._should_capture(k + 1))
        self._steady = self.repeating and stop is None and self.options.capture_at != "all" and not self.recorder.armed and self._foresight is None
        self._steady_until = self._steady_limit()
        self._keep_grads_from = (self._last_foreseen or 0) if self.options.capture_at == "last" else 1 << 62
        self._site_code, self._site_lasti = caller.f_code, caller.f_lasti
        if stop_here:
            self.sink.stop()
        return result

    def _auto_only(self, k: int, non_finite: bool) -> bool:
        """Whether backward #k would be captured in full only by the "last" policy's search
        for a repeating graph, right after a full capture that left a template."""
        at = self.options.capture_at
        return (
            at == "last" and k > 1 and not self.requested and not non_finite and self.options.stop_after is None and k != self._last_foreseen
            and self.last_full_index == k - 1 and self.snapshots.template is not None and self._last_sig is not None
        )

    def _foresee(self, k: int, site: Optional[FrameType]) -> None:
        """At a loop's full capture: how many backward() calls are left, if one comes per pass
        of the loops around it (checked at the next one)."""
        if self._last_foreseen is not None and k <= self._last_foreseen:
            return
        left = passes_left(site)
        if left:
            self._foresight = (k, left)

    def _confirm_foresight(self, k: int, site: Optional[FrameType]) -> None:
        """The backward() after the foreseeing one: trusted if it came one pass later (not if
        the loop calls backward() more than once a pass, as LBFGS's closure does)."""
        _, left = self._foresight or (0, 0)
        self._foresight = None
        if passes_left(site) == left - 1:
            self._last_foreseen = k + left - 1

    def _after(self, k: int, trigger: str, roots: List[torch.Tensor], call_site: Optional[Json], captured: bool, scalar: bool, loss: float,
               walked: Optional[Tuple[int, List[torch.Tensor]]] = None) -> None:
        # A walk of this graph's structure: when it changes (a new model, a new phase of the
        # script), the next backward is captured in full again; when it repeats the last
        # one, the script is in a loop. In Python the walk costs as much as a small training
        # step's bookkeeping, so a loop is sampled, reusing the leaves found last in between.
        # The output's node kind is checked every step: a new phase usually changes it.
        kind = type(roots[0].grad_fn) if roots else None
        if walked is None and self._walk_due(k, kind):
            walked = self._walk(roots)
        self._last_kind = kind
        if walked is not None:
            sig, leaves = walked
            if not captured:
                same = sig == self._last_sig
                self.repeating = same
                if not same:
                    self._structure_changed(k)
            self._last_sig = sig
            self._last_leaves = leaves
        else:
            leaves = self._last_leaves or []
        self._record(k, trigger, roots, call_site, leaves, loss if scalar else None)

    def _walk_due(self, k: int, kind: Optional[type]) -> bool:
        if k <= 2 or self._last_leaves is None or kind is not self._last_kind:
            return True
        if k > STRUCTURE_EVERY and k % STRUCTURE_EVERY_LATER != 0:
            return False
        return self._within_walk_budget()

    def _within_walk_budget(self) -> bool:
        """Whether structure walks so far took at most WALK_SHARE of the time since the first
        backward()."""
        return self._walk_seconds <= WALK_SHARE * (time.perf_counter() - self._first_at)

    def _walk(self, roots: List[torch.Tensor]) -> Tuple[int, List[torch.Tensor]]:
        """The graph's structure signature and leaves, its time counted against the budget."""
        started = time.perf_counter()
        walked = structure(roots)
        self._walk_seconds += time.perf_counter() - started
        return walked

    def _structure_changed(self, k: int) -> None:
        """Backward() #k's graph is not the last one's: the next is captured in full again,
        unless #k's graph was over the walk cap (its change is that)."""
        if self._over_cap != k:
            self._over_cap = 0
            self.requested = True
            self.expect_repeat = False

    def _record(self, k: int, trigger: str, roots: List[torch.Tensor], call_site: Optional[Json], leaves: List[torch.Tensor], loss: Optional[float]) -> None:
        """What every backward() leaves: for a scalar one, its gradients for the rebuild at
        the end and its metric."""
        if loss is not None:
            now = time.perf_counter()
            named = self.names.named(leaves)
            self._keep_grads(k, named)
            if self.metrics.keeps(k):
                self._sample_norms(k, named, now)
                self.metrics.add(k, loss, (now - self.started) * 1000, _learning_rate(self._optimizer), now)
        last = self.last
        if last is None:
            self.last = LastBackward(k, trigger, roots, call_site)
        else:
            last.index, last.trigger, last.roots, last.call_site = k, trigger, roots, call_site

    def _keeps_grads(self, k: int) -> bool:
        """Whether backward #k's gradients are worth keeping for a rebuild at the end: not
        while the loop's last backward(), foreseen and captured live, is still to come."""
        return self.options.capture_at == "last" and (self._last_foreseen is None or k >= self._last_foreseen)

    def _keep_grads(self, k: int, named: List[Tuple[str, torch.Tensor]]) -> None:
        """The named gradients by reference, with their versions: enough for the rebuild at
        the end to tell whether a gradient still holds this step's values."""
        if self._keeps_grads(k):
            self._kept_step = (k, [(t, g, g._version) for _, t in named if (g := t.grad) is not None])

    def _sample_norms(self, k: int, named: List[Tuple[str, torch.Tensor]], now: float) -> None:
        """Gradient norms of this step for its metric, or none: in a loop of tiny steps they
        cost as much as the step, so after the first steps they are taken at most every
        NORM_INTERVAL seconds."""
        if k > STRUCTURE_EVERY and now - self._norms_at < NORM_INTERVAL:
            return
        self._norms_at = now
        with_grad = [(name, g) for name, t in named if (g := t.grad) is not None]
        if with_grad:
            norms = self._norms([g for _, g in with_grad])
            self.metrics.norms[k] = {name: encode_num(norm) for (name, _), norm in zip(with_grad, norms)}

    def finish(self) -> None:
        """Sends what is still pending: the last backward's graph (if not yet captured) and metrics."""
        self._set_armed(False)
        last = self.last
        if self.options.capture_at == "last" and last is not None and last.index > self.last_full_index:
            pending = self._begin_safely(last.index, last.trigger, last.roots, last.call_site, live=False)
            if pending is not None:
                snapshot = self._complete_safely(pending, None, None, live=False, frame=None)
                if snapshot is not None:
                    self.sink.snapshot(snapshot)
        self.flush_metrics()

    def flush_metrics(self) -> None:
        self.metrics.stop_timer()
        self.metrics.flush()

    def _kept_grad(self, v: torch.Tensor, step: int) -> Optional[Summary]:
        k, kept = self._kept_step
        if k == step:
            for t, grad, version in kept:
                if t is v:
                    return summarize(grad) if grad._version == version else None
            return None
        # Not kept (a foreseen loop that ended early): the leaf's gradient as it is now, unless
        # an optimizer's zero_grad() ran since (a gradient zeroed by hand is not noticed).
        if self._zeroed_at < step and v.grad is not None:
            return summarize(v.grad)
        return None

    # ---- building snapshots -------------------------------------------------------------

    def _begin_safely(self, index: int, trigger: str, roots: List[torch.Tensor], call_site: Optional[Json], live: bool, partial: bool = False) -> Optional[Pending]:
        try:
            return self.snapshots.begin(index, trigger, roots, call_site, live, partial)
        except GraphTooLarge:
            self._over_cap = self.last_full_index = index  # not tried again at the end of the run
            self._say_over_cap(f"the graph of backward() #{index} has more than {graph.MAX_WALK:,} nodes and was not captured; while graphs stay that large, ops are not recorded and backward() calls are not captured")
        except Exception as e:  # a capture bug must not break the user's training
            self.sink.error("crash", f"capture of backward() #{index} failed: {type(e).__name__}: {e}")
        return None

    def _say_over_cap(self, message: str) -> None:
        if not self._told_over_cap:
            self._told_over_cap = True
            self.sink.notice("graph-too-large", message)

    def _complete_safely(self, p: Pending, grad_inputs: Optional[List[torch.Tensor]], grad_result: Any, live: bool, frame: Optional[FrameType]) -> Optional[Json]:
        try:
            snapshot = self.snapshots.complete(p, grad_inputs, grad_result, live, frame)
        except Exception as e:
            self.sink.error("crash", f"capture of backward() #{p.index} failed: {type(e).__name__}: {e}")
            return None
        if self.snapshots.repeats_template:
            self.repeating = True
        return snapshot


def _wrap_method(cls: type, name: str, recorder: Recorder, before: Callable[[Any, Sequence[Any], Dict[str, Any]], None], after: Callable[[Any], None]) -> None:
    """`before` runs only while ops are recorded: a training loop's steady steps pay one check."""
    method = getattr(cls, name)
    if getattr(method, "_gradlens_wrapped", False):
        return

    @functools.wraps(method)
    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        if recorder.recording:
            before(self, args, kwargs)
        result = method(self, *args, **kwargs)
        after(self)
        return result

    wrapped._gradlens_wrapped = True  # type: ignore[attr-defined]
    setattr(cls, name, wrapped)


def _listed(tensors: Any) -> Optional[List[torch.Tensor]]:
    if tensors is None:
        return None
    return [tensors] if isinstance(tensors, torch.Tensor) else list(tensors)


def _has_closure(args: Sequence[Any], kwargs: Dict[str, Any]) -> bool:
    return any(a is not None for a in args) or kwargs.get("closure") is not None


def _differentiable(optimizer: Any) -> bool:
    """An optimizer whose step is part of the graph (torch 2.x: `differentiable=True`)."""
    defaults = getattr(optimizer, "defaults", None)
    return isinstance(defaults, dict) and bool(defaults.get("differentiable", False))


def _read_scalar(t: torch.Tensor) -> float:
    try:
        v = t.item()
    except RuntimeError:
        return math.nan
    return float(v.real if isinstance(v, complex) else v)


def _learning_rate(ref: Optional["weakref.ref[Any]"]) -> float:
    """The learning rate the coming optimizer step will use (NaN: none known): read at
    backward(), where a step's metric is made (a scheduler usually moves it after the step)."""
    optimizer = ref() if ref is not None else None
    if optimizer is None:
        return math.nan
    try:
        lr = optimizer.param_groups[0]["lr"]
        return lr if type(lr) is float else float(lr)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError, RuntimeError):
        return math.nan


def _same_file(a: str, b: str) -> bool:
    return a == b or a.endswith(f"/{b}") or b.endswith(f"/{a}")

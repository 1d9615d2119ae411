"""Framing and number encoding shared by both directions of the channel."""
from __future__ import annotations

import json
import math
from typing import Any, List, Tuple, Union

MAGIC = b"\x1eGL1 "

Num = Union[int, float, str]


def encode_num(v: float) -> Num:
    """A number as it survives JSON: NaN and infinities become strings."""
    if isinstance(v, float) and not math.isfinite(v):
        if math.isnan(v):
            return "NaN"
        return "Infinity" if v > 0 else "-Infinity"
    return v


def finite_or_none(v: float) -> Union[float, None]:
    return v if math.isfinite(v) else None


# allow_nan=False: a NaN that slipped past encode_num is a bug to surface, not to send. No
# check for cycles: messages are trees the runner builds, and the check costs a snapshot's
# encoding a tenth of its time.
_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"), check_circular=False)


def encode_frame(message: Any) -> bytes:
    text = _ENCODER.encode(message)
    return MAGIC + text.encode("utf-8") + b"\n"


def split_frames(buffer: bytes) -> Tuple[List[bytes], bytes]:
    """Complete frame payloads in `buffer`, and the incomplete rest."""
    *lines, rest = buffer.split(b"\n")
    payloads = [line[len(MAGIC):] for line in lines if line.startswith(MAGIC)]
    return payloads, rest

"""Readers that turn raw files into :class:`Recording` objects or numpy arrays.

HAPT raw inertial recordings (folder or zip), UCR archive ``.tsv`` files, UEA/sktime
``.ts`` collections (equal or unequal length), single CSV/TSV (numeric or date-time time
stamps) or NumPy recordings (:func:`read_recording` and :func:`detect_format` take any of
them), and the small HAPT sample shipped with the package.
"""

from .files import infer_rate, read_csv_recording, read_npy_recording, recording_from_frame
from .formats import FORMATS, detect_format, read_recording
from .hapt import HAPT_ACTIVITIES, HAPT_CHANNELS, HAPT_SAMPLING_RATE, iter_hapt, read_hapt
from .recording import NAN_POLICIES, Recording, sample_time, step_decimals
from .sample import SAMPLE_NAME, load_sample
from .ts import TsCollection, load_ts, read_ts
from .ucr import read_ucr, read_ucr_index

__all__ = [
    "Recording",
    "NAN_POLICIES",
    "read_hapt",
    "iter_hapt",
    "read_ucr",
    "read_ucr_index",
    "read_csv_recording",
    "recording_from_frame",
    "read_npy_recording",
    "infer_rate",
    "read_ts",
    "load_ts",
    "TsCollection",
    "sample_time",
    "step_decimals",
    "SAMPLE_NAME",
    "read_recording",
    "detect_format",
    "FORMATS",
    "load_sample",
    "HAPT_ACTIVITIES",
    "HAPT_CHANNELS",
    "HAPT_SAMPLING_RATE",
]

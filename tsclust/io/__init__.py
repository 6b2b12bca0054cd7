"""HDF5 files: window stores and model files. The only package that imports h5py.

One module per job: ``_h5`` (formats, damage checks, opening, :func:`verify_file`),
``_atomic`` (atomic writes of one file or a set), ``_models`` (model files), ``_stores``
(window stores: writer, readers, streaming reader).

Every write goes to a temporary file in the destination folder and is renamed
into place when complete, so an interrupted write never leaves a half file
under the final name, and an existing file is kept unless ``overwrite=True``.

Every non-scalar dataset is chunked and carries HDF5's fletcher32 checksum per chunk, so
a damaged chunk fails to read instead of returning wrong numbers: the readers then raise
:class:`DamagedFileError` naming the file and the dataset, and :func:`verify_file`
(``tsclust info --verify``) reads every chunk of a file to find the first damaged one.
Files written before the checksums (no fletcher32) still load; only their damage in
uncompressed data goes unnoticed. Model files are also refused, at save and at load, when
a floating array holds NaN or infinite values.
"""

from ._atomic import atomic_h5, atomic_path, atomic_text, write_file_set
from ._h5 import MODEL_FORMAT, STORE_FORMAT, DamagedFileError, check_file
from ._models import (
    load_model,
    load_state_arrays,
    model_class,
    read_model_file,
    save_model,
    saved_params,
    state_arrays,
)
from ._stores import (
    StoreReader,
    WindowStoreWriter,
    read_windows,
    store_info,
    write_windows,
    write_windows_from_recordings,
)
from ._verify import verify_file

__all__ = [
    "DamagedFileError",
    "check_file",
    "verify_file",
    "atomic_path",
    "atomic_h5",
    "atomic_text",
    "save_model",
    "load_model",
    "model_class",
    "state_arrays",
    "load_state_arrays",
    "saved_params",
    "read_model_file",
    "MODEL_FORMAT",
    "STORE_FORMAT",
    "WindowStoreWriter",
    "write_windows",
    "write_windows_from_recordings",
    "read_windows",
    "store_info",
    "StoreReader",
    "write_file_set",
]

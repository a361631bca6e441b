"""The model thread (``engine_thread``), the file pipeline (``pipeline``) and, for the GUI only,
the Qt bridge (``qt_engine``). Only ``qt_engine`` imports Qt."""

"""Installs ``tests.support.netguard`` in a child process when ``NETGUARD_LOG`` is set."""

import os
import sys

if os.environ.get("NETGUARD_LOG"):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))))  # fmt: skip
    from tests.support.netguard import install

    install(os.environ["NETGUARD_LOG"])

"""``python -m mailbridge`` is the same as the ``mailbridge`` command."""

from mailbridge.cli import main

raise SystemExit(main())

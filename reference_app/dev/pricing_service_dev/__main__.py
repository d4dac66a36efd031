"""``python -m pricing_service_dev COMMAND``."""

from pricing_service_dev.cli import main

raise SystemExit(main())

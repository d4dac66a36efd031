"""Development doubles of the pricing service: the fake MercadoLibre API.

Not part of the service's wheel (``tests/integration/test_wheel.py`` checks): the package lives
beside ``src/``, and only the editable (development) install puts it on the path
(``[tool.hatch.build.targets.wheel] dev-mode-dirs`` in ``reference_app/pyproject.toml``).
Run it with ``python -m pricing_service_dev fake-marketplace``.
"""

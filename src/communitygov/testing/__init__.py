"""The public test kit: Hypothesis strategies for testing code built on communitygov.

:mod:`communitygov.testing.strategies` generates the library's values (times, periods,
voting rules, procedures, communities, meetings, events) for your own property-based tests.
It needs the ``testing`` extra (``pip install 'communitygov[testing]'``, which brings
Hypothesis); importing it without raises :class:`~communitygov.errors.MissingExtra`.
"""

import sys

if "pytest" in sys.modules:  # under pytest: the kit's failed asserts show their values
    import pytest

    pytest.register_assert_rewrite(
        "communitygov.testing.conformance", "communitygov.testing.store_model"
    )

"""The red-flag checks. Each module registers its checks with @signals.engine.check;
importing this package registers them all."""

from signals.checks import (  # noqa: F401
    career,
    data_quality,
    email,
    identity_reuse,
    known_bad,
    line_type,
    network,
    payment,
    phone,
    profile_age,
    resume_reuse,
    risk_flow,
    sanctions,
    shipping,
)

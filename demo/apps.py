from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and evaluation: the synthetic applicant population (honest applicants with
    realistic look-alikes, and fraud rings using the public reporting's tactics), the demo
    sign-ins, `seed_demo` and `evaluate_scoring`. Used by `make demo`, the tests and bench;
    nothing in the product imports it."""

    name = "demo"
    verbose_name = "Demo data"

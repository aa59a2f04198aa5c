"""Demo data and evaluation (see demo/apps.py). Public names for the tests and bench:
demo.population (demo_population, DemoApplicant, FRAUD, HONEST), demo.evaluation
(population_evaluate), demo.users (demo_users_create)."""

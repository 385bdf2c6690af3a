"""Demo and benchmark data: seeded generators (`generators`, `ledger`) and a fast bulk loader (`loader`).

Used by `manage.py seed_demo` and `bench/search.py`. Everything random is drawn from
`random.Random` streams derived from one seed, so a seed always gives the same people.
"""

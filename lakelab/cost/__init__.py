"""Cost estimates for learner labs, from the offline plan and the pricing catalog.

- `catalog`: the pricing catalog (`pricing/catalog.yaml`), validated: a date and a vendor
  source for every price, a description for every assumption.
- `model`: the arithmetic, as small pure functions.
- `estimate`: turns a plan into line items (what is charged, how much, why).
- `course`, `course_estimate`, `scan`: course plans, priced; a scan-priced query's bill.
"""

"""Stages 1 and 2 of the study: region division, service-mode prediction, locker siting.

- `graph`: the delivery network as a weighted graph (interaction strength of roads);
- `regions`: Louvain against five other community algorithms, connected regions, the
  study's Table 2 metrics;
- `dataset`, `classifier`: the labelled communities and XGBoost against random
  forest and AdaBoost (Table 3), and a region's predicted mode;
- `modes`: how a mode changes a region's routing problem;
- `lockers`: k-means locker siting with haversine distances (Table 6).
"""

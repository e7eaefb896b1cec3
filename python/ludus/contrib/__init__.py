"""Small things built on the package: a numpy PPO (:mod:`ludus.contrib.ppo`)."""

"""Training coach policies: ``shotcaller train`` (:mod:`shotcaller.train.ppo`, PPO with action masks on the
native vector env). torch is imported only here and only when training runs (the optional extra
``train``); the policies it writes play on numpy alone (:mod:`shotcaller.bots.learned`)."""

"""Array core of the model: random streams, agent columns, ledger, recorder and the monthly loop."""

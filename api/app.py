"""ASGI entry point for uvicorn workers: `uvicorn api.app:app`."""

import gc

from api.main import create_app

app = create_app()

# A server process holds a large heap that lives as long as it does: the imported libraries
# (~250,000 objects tracked by the cyclic garbage collector) and, once fitted, the matching
# engine. Every full collection walked all of it, and under the load benchmark collections
# took ~6 % of a worker's CPU. So: collect once, freeze what is alive now (it is never
# collected anyway), and let the young generation grow larger before it is scanned; most
# request objects die by reference counting long before that. Measured with gc.callbacks over
# 60 s of `bench.load`: 2.45 s of collector time per worker before, 0.55 s after.
gc.collect()
gc.freeze()
gc.set_threshold(5_000, 10, 10)

"""A faithful, in-memory fake of the Huawei Cloud AICC "bidirectional call" API.

Standard library only: no Django, no third-party packages.  Used by ``make run`` (through the
``aicc_simulator`` management command) and by the test-suite over real HTTP on loopback.

    sim = Simulator(host="127.0.0.1", port=0).start()
    sim.url            # both the token base URL and the /apiaccess base URL
    sim.stop()

Calls are not driven by a thread each: a call's whole timeline is fixed when it is created and its
state is computed lazily from the clock.  One small "ticker" thread fires the pushed callback
events (connection / release) when they fall due.  See docs/simulator.md for every choice made
where the vendor documentation is silent.
"""

from calls.aicc.simulator.server import Simulator
from calls.aicc.simulator.state import Account

__all__ = ["Account", "Simulator"]

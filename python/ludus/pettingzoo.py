"""Multi-player Ludus games as PettingZoo ``AECEnv``s (turn-based: the player to move is
the script's ``E.current_player``; the legal actions its ``E.legal_actions``)."""

import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv

from .batch import Batch, reset_one
from .render import render
from .errors import SetupError

_MASK = (1 << 63) - 1


class LudusAECEnv(AECEnv):
    """A Ludus game for PettingZoo's agent-environment cycle.

    Agents are named by the script's roles (``E.roles``, e.g. ``x`` and ``o``), else
    ``player_1``... Each observation is ``{"observation": <the game's observation>,
    "action_mask": int8 mask}`` (the mask is all zeros for an agent not to move), as
    PettingZoo recommends; text parts of observations are zero-padded UTF-8 bytes (uint8
    arrays, EnvPool's convention), since PettingZoo's checks want numpy values. ``reset(seed=S)`` plays episode 1 of ``ludus run --seed S``;
    ``infos[agent]["trajectory_hash"]`` is then the CLI's hash for the same moves.
    An illegal action forfeits the game (the mover gets -1, the others +1), as in the CLI's
    tournaments; ``illegal="raise"`` raises :class:`ludus.ActionError` instead.
    """

    metadata = {"render_modes": ["ansi", "human", "rgb_array"], "is_parallelizable": False, "render_fps": 2}

    def __init__(self, env, render_mode=None, *, params=None, illegal="forfeit", dtype=np.float32, paths=None,
                 memory_limit=None, time_limit=None, **more_params):
        super().__init__()
        self._batch = b = Batch(env, 1, params=dict(params or {}, **more_params), autoreset="disabled",
                                illegal=illegal, dtype=dtype, paths=paths, memory_limit=memory_limit,
                                time_limit=time_limit, text_as_bytes=True)
        if b.action_kind != "discrete":
            raise SetupError(f"{b.spec['id']}: PettingZoo games here need a discrete action space")
        roles = list(b.spec["roles"])
        if len(set(roles)) != len(roles):
            roles = [f"player_{i + 1}" for i in range(b.players)]
        self.possible_agents = roles
        self.agents = []
        self.metadata = dict(self.metadata, name=b.spec["id"].replace("/", "_"))
        inner = b.decoder.space
        n = b.mask_width
        self.observation_spaces = {
            a: spaces.Dict({"observation": inner, "action_mask": spaces.Box(0, 1, shape=(n,), dtype=np.int8)})
            for a in roles
        }
        self.action_spaces = {a: b.action_space for a in roles}
        self.render_mode = render_mode
        self._started = False
        self.rewards = {}
        self._cumulative_rewards = {}
        self.terminations = {}
        self.truncations = {}
        self.infos = {}
        self.agent_selection = roles[0]

    def observation_space(self, agent):
        return self.observation_spaces[agent]

    def action_space(self, agent):
        return self.action_spaces[agent]

    def reset(self, seed=None, options=None):
        b = self._batch
        failures = reset_one(b, seed, options, self._started,
                             lambda: int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0]) & _MASK)
        self._started = True
        if failures:
            raise failures[0]
        self.agents = self.possible_agents[:]
        self.rewards = {a: 0.0 for a in self.agents}
        self._cumulative_rewards = {a: 0.0 for a in self.agents}
        self.terminations = {a: False for a in self.agents}
        self.truncations = {a: False for a in self.agents}
        self._set_infos()
        self.agent_selection = self.possible_agents[int(b.player[0]) - 1]
        if self.render_mode == "human":
            self.render()

    def _set_infos(self):
        b = self._batch
        self.infos = {a: {"trajectory_hash": b.hash_hex(0), "player": int(b.player[0])} for a in self.agents}

    def observe(self, agent):
        b = self._batch
        mask = np.zeros(b.mask_width, dtype=np.int8)
        seat = self.possible_agents.index(agent) + 1
        if int(b.player[0]) == seat:
            mask[:] = b.mask[0]
        # In a game with private observations (poker) each agent sees only its own view.
        observation = b.seat_observation(0, seat) if b.private_observations else b.observation(0)
        return {"observation": observation, "action_mask": mask}

    def step(self, action):
        agent = self.agent_selection
        if self.terminations.get(agent) or self.truncations.get(agent):
            self._was_dead_step(action)
            return
        b = self._batch
        failures = b.step([int(np.asarray(action).reshape(()))])
        if failures:
            raise failures[0]
        self._cumulative_rewards[agent] = 0.0
        self.rewards = {a: float(b.rewards[0, i]) for i, a in enumerate(self.possible_agents) if a in self.agents}
        over_t, over_u = bool(b.terminated[0]), bool(b.truncated[0])
        if over_t or over_u:
            for a in self.agents:
                self.terminations[a] = over_t
                self.truncations[a] = over_u
        self._set_infos()
        if over_t or over_u:
            kind, message = b.note(0)
            if kind == "forfeit":
                for a in self.agents:
                    self.infos[a]["forfeit"] = message
            # Every agent sees the end once (PettingZoo's dead steps), starting after the mover.
            seat = self.possible_agents.index(agent)
            self.agent_selection = self.possible_agents[(seat + 1) % len(self.possible_agents)]
        else:
            self.agent_selection = self.possible_agents[int(b.player[0]) - 1]
        self._accumulate_rewards()
        if self.render_mode == "human":
            self.render()

    def render(self):
        return render(self._batch, self.render_mode)

    def close(self):
        self._batch.close()

    @property
    def trajectory_hash(self):
        return self._batch.hash_hex(0)

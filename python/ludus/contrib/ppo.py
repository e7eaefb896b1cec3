"""A short CleanRL-style PPO in numpy (no PyTorch needed) for Ludus vector environments
with discrete actions: two tanh MLPs (policy and value), GAE, clipped surrogate, Adam,
observations flattened (one-hot for discrete parts) and normalised with running stats.

    vec = ludus.make_vec("gridworld/empty", 8, autoreset_mode="SameStep", params={"size": 5})
    agent = PPO(vec, seed=0)
    history = agent.learn(total_steps=30_000)

Use ``autoreset_mode=SAME_STEP`` (the classic Gym loop this code follows).
"""

import numpy as np
from gymnasium import spaces


class Flattener:
    """Batched observations of a space as float32 rows (texts are skipped)."""

    def __init__(self, space):
        self.space = space
        self.size = self._size(space)

    def _size(self, s):
        if isinstance(s, spaces.Discrete):
            return int(s.n)
        if isinstance(s, spaces.MultiDiscrete):
            return int(np.sum(s.nvec))
        if isinstance(s, (spaces.Box, spaces.MultiBinary)):
            return int(np.prod(s.shape))
        if isinstance(s, spaces.Dict):
            return sum(self._size(v) for v in s.spaces.values())
        if isinstance(s, spaces.Tuple):
            return sum(self._size(v) for v in s.spaces)
        return 0

    def __call__(self, obs):
        parts = []
        self._flatten(self.space, obs, parts)
        return np.concatenate(parts, axis=1).astype(np.float32)

    def _flatten(self, s, x, parts):
        if isinstance(s, spaces.Discrete):
            x = np.asarray(x).reshape(-1) - s.start
            parts.append(np.eye(int(s.n), dtype=np.float32)[x])
        elif isinstance(s, spaces.MultiDiscrete):
            x = np.asarray(x).reshape(len(x), -1)
            for k, n in enumerate(s.nvec.reshape(-1)):
                parts.append(np.eye(int(n), dtype=np.float32)[x[:, k]])
        elif isinstance(s, (spaces.Box, spaces.MultiBinary)):
            x = np.asarray(x, dtype=np.float32)
            parts.append(x.reshape(x.shape[0], -1))
        elif isinstance(s, spaces.Dict):
            for key, sub in s.spaces.items():
                self._flatten(sub, x[key], parts)
        elif isinstance(s, spaces.Tuple):
            for k, sub in enumerate(s.spaces):
                self._flatten(sub, x[k], parts)


class RunningNorm:
    def __init__(self, size):
        self.mean = np.zeros(size, dtype=np.float64)
        self.var = np.ones(size, dtype=np.float64)
        self.count = 1e-4

    def update(self, x):
        mean, var, n = x.mean(0), x.var(0), x.shape[0]
        delta = mean - self.mean
        total = self.count + n
        self.mean = self.mean + delta * n / total
        self.var = (self.var * self.count + var * n + delta**2 * self.count * n / total) / total
        self.count = total

    def __call__(self, x):
        return np.clip((x - self.mean) / np.sqrt(self.var + 1e-8), -10, 10).astype(np.float32)


class MLP:
    """A two-hidden-layer tanh network with its gradients and an Adam optimiser."""

    def __init__(self, sizes, rng, out_scale):
        self.params = []
        for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            scale = out_scale if k == len(sizes) - 2 else np.sqrt(2)
            w = rng.standard_normal((a, b)) * scale / np.sqrt(a)
            self.params += [w.astype(np.float64), np.zeros(b)]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def forward(self, x):
        hidden = [x]
        h = x
        layers = len(self.params) // 2
        for k in range(layers):
            h = h @ self.params[2 * k] + self.params[2 * k + 1]
            if k < layers - 1:
                h = np.tanh(h)
                hidden.append(h)
        return h, hidden

    def backward(self, hidden, grad):
        grads = [None] * len(self.params)
        layers = len(self.params) // 2
        for k in reversed(range(layers)):
            grads[2 * k] = hidden[k].T @ grad
            grads[2 * k + 1] = grad.sum(0)
            if k > 0:
                grad = (grad @ self.params[2 * k].T) * (1 - hidden[k] ** 2)
        return grads

    def step(self, grads, lr, beta1=0.9, beta2=0.999, eps=1e-5):
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            p -= lr * (m / (1 - beta1**self.t)) / (np.sqrt(v / (1 - beta2**self.t)) + eps)


def _clip(grads_a, grads_b, max_norm):
    norm = np.sqrt(sum(float((g**2).sum()) for g in grads_a + grads_b))
    if norm > max_norm:
        grads_a = [g * (max_norm / norm) for g in grads_a]
        grads_b = [g * (max_norm / norm) for g in grads_b]
    return grads_a, grads_b


class PPO:
    def __init__(self, vec, seed=0, hidden=64, lr=2.5e-3, num_steps=128, gamma=0.99, gae_lambda=0.95,
                 epochs=4, minibatches=4, clip=0.2, ent_coef=0.01, vf_coef=0.5, max_grad_norm=0.5):
        if not isinstance(vec.single_action_space, spaces.Discrete):
            raise ValueError("this PPO handles discrete action spaces")
        self.vec = vec
        self.rng = np.random.default_rng(seed)
        self.flatten = Flattener(vec.single_observation_space)
        self.norm = RunningNorm(self.flatten.size)
        n_actions = int(vec.single_action_space.n)
        self.start = int(vec.single_action_space.start)
        self.policy = MLP([self.flatten.size, hidden, hidden, n_actions], self.rng, 0.01)
        self.value = MLP([self.flatten.size, hidden, hidden, 1], self.rng, 1.0)
        self.lr, self.num_steps, self.gamma, self.lam = lr, num_steps, gamma, gae_lambda
        self.epochs, self.minibatches, self.clip = epochs, minibatches, clip
        self.ent_coef, self.vf_coef, self.max_grad_norm = ent_coef, vf_coef, max_grad_norm
        self.seed = seed

    def act(self, x, greedy=False):
        logits, _ = self.policy.forward(x)
        logits = logits - logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        if greedy:
            a = p.argmax(1)
        else:
            a = (p.cumsum(1) > self.rng.random((len(p), 1))).argmax(1)
        return a, np.log(p[np.arange(len(a)), a] + 1e-12)

    def learn(self, total_steps, on_episode=None, obs=None):
        """Trains for ``total_steps`` environment steps; returns the returns of the episodes
        that ended, in order. ``on_episode(env_id, return, length)`` is called for each.
        ``obs``: the observations of a vector env the caller has just reset (else it is
        reset here with the agent's seed)."""
        vec, n, T = self.vec, self.vec.num_envs, self.num_steps
        raw = vec.reset(seed=self.seed)[0] if obs is None else obs
        x = self.flatten(raw)
        self.norm.update(x)
        done = np.zeros(n)
        returns = []
        iterations = max(1, total_steps // (n * T))
        for _ in range(iterations):
            obs = np.zeros((T, n, self.flatten.size), dtype=np.float32)
            acts = np.zeros((T, n), dtype=np.int64)
            logps = np.zeros((T, n))
            rews = np.zeros((T, n))
            dones = np.zeros((T, n))
            values = np.zeros((T, n))
            raw_rows = []
            for t in range(T):
                xn = self.norm(x)
                obs[t], dones[t] = xn, done
                raw_rows.append(x)
                a, lp = self.act(xn)
                values[t] = self.value.forward(xn)[0][:, 0]
                acts[t], logps[t] = a, lp
                raw, r, term, trunc, infos = vec.step(a + self.start)
                rews[t] = r
                done = (term | trunc).astype(np.float64)
                if "_episode" in infos:
                    for i in np.flatnonzero(infos["_episode"]):
                        returns.append(float(infos["episode"]["r"][i]))
                        if on_episode:
                            on_episode(int(i), float(infos["episode"]["r"][i]), int(infos["episode"]["l"][i]))
                x = self.flatten(raw)
            self.norm.update(np.concatenate(raw_rows))
            next_value = self.value.forward(self.norm(x))[0][:, 0]
            adv = np.zeros((T, n))
            last = 0
            for t in reversed(range(T)):
                nonterminal = 1.0 - (done if t == T - 1 else dones[t + 1])
                nv = next_value if t == T - 1 else values[t + 1]
                delta = rews[t] + self.gamma * nv * nonterminal - values[t]
                adv[t] = last = delta + self.gamma * self.lam * nonterminal * last
            ret = adv + values
            self._update(obs.reshape(T * n, -1), acts.reshape(-1), logps.reshape(-1), adv.reshape(-1), ret.reshape(-1))
        return returns

    def _update(self, obs, acts, old_logp, adv, ret):
        batch = len(obs)
        size = batch // self.minibatches
        for _ in range(self.epochs):
            order = self.rng.permutation(batch)
            for k in range(self.minibatches):
                idx = order[k * size : (k + 1) * size]
                x, a, A, R = obs[idx], acts[idx], adv[idx], ret[idx]
                A = (A - A.mean()) / (A.std() + 1e-8)
                logits, hp = self.policy.forward(x)
                logits = logits - logits.max(1, keepdims=True)
                p = np.exp(logits)
                p /= p.sum(1, keepdims=True)
                logp_all = np.log(p + 1e-12)
                logp = logp_all[np.arange(len(a)), a]
                ratio = np.exp(logp - old_logp[idx])
                clipped = np.clip(ratio, 1 - self.clip, 1 + self.clip)
                active = ratio * A <= clipped * A
                dlogp = np.where(active, -A * ratio, 0.0) / len(idx)
                onehot = np.zeros_like(p)
                onehot[np.arange(len(a)), a] = 1
                dlogits = dlogp[:, None] * (onehot - p)
                entropy = -(p * logp_all).sum(1)
                dlogits += self.ent_coef * p * (logp_all + entropy[:, None]) / len(idx)
                v, hv = self.value.forward(x)
                dv = self.vf_coef * (v[:, 0] - R)[:, None] / len(idx)
                gp, gv = _clip(self.policy.backward(hp, dlogits), self.value.backward(hv, dv), self.max_grad_norm)
                self.policy.step(gp, self.lr)
                self.value.step(gv, self.lr)

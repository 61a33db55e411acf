"""Policy-gradient scripts written in the shape of pytorch/examples' reinforcement_learning
(REINFORCE and actor-critic; our own code, not copies) run with only their imports changed, on a small environment written in the script
(no gym): a corridor whose rewarded end is given by a cue in the observation.

Categorical samples come from each library's own generator, so the parity tests record the
actions PyTorch samples and replay them in fastgrad (dropout off, the same initial weights, float64):
the environment then walks the same path and every episode's loss and the final parameters must
be equal.  Unchanged (float32, sampled actions, dropout on), the scripts learn to follow the cue.
"""
import numpy as np
import pytest
from torch_parity import assert_same_state, float64_scripts, needs_torch, run_script, start_from, state_arrays

ENVIRONMENT = """
import argparse
import random
from collections import namedtuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical


class CuedCorridor:
    '''Cells 0..length; the agent starts in the middle and moves left (action 0) or right (1).
    The cue (+1 or -1, drawn each episode) says which end pays 1; the other end costs 1, and
    every step costs 0.01.  An observation is four floats, as CartPole's.'''

    def __init__(self, length=6, max_steps=20, seed=0):
        self.length, self.max_steps = length, max_steps
        self.rng = random.Random(seed)

    def reset(self):
        self.position, self.steps = self.length // 2, 0
        self.cue = self.rng.choice([-1.0, 1.0])
        return self.observation()

    def observation(self):
        x = 2.0 * self.position / self.length - 1.0
        return [x, self.cue, x * self.cue, self.steps / self.max_steps]

    def step(self, action):
        self.position += 1 if action == 1 else -1
        self.steps += 1
        if self.position in (0, self.length):
            at_right = self.position == self.length
            return self.observation(), 1.0 if at_right == (self.cue > 0) else -1.0, True
        return self.observation(), -0.01, self.steps >= self.max_steps


def play(args, act, learn):
    '''Plays args.episodes episodes; after each, learn(rewards) updates the agent and returns its
    loss.  Gives back the smoothed episode return and every episode's loss.'''
    corridor = CuedCorridor(seed=args.seed)
    smoothed, episode_losses = 0.0, []
    for episode in range(1, args.episodes + 1):
        observation, rewards, finished = corridor.reset(), [], False
        while not finished:
            observation, reward, finished = corridor.step(act(observation))
            rewards.append(reward)
        smoothed += 0.05 * (sum(rewards) - smoothed)
        episode_losses.append(learn(rewards))
        if episode % args.log_interval == 0:
            print(f"episode {episode:4d}  return {sum(rewards):+.2f}  smoothed {smoothed:+.3f}")
    return smoothed, episode_losses


def standardised_returns(rewards, gamma, eps):
    '''The discounted return from every step on, shifted to mean 0 and scaled to std 1.'''
    backwards, tail = [], 0.0
    for reward in reversed(rewards):
        tail = reward + gamma * tail
        backwards.append(tail)
    returns = torch.tensor(backwards[::-1])
    return (returns - returns.mean()) / (returns.std() + eps)
"""

REINFORCE = ENVIRONMENT + """

class Agent(nn.Module):
    '''Action probabilities from one hidden layer with dropout.'''

    def __init__(self, width=32):
        super().__init__()
        self.hidden = nn.Linear(4, width)
        self.drop = nn.Dropout(p=0.2)
        self.choice = nn.Linear(width, 2)

    def forward(self, observations):
        features = self.drop(F.relu(self.hidden(observations)))
        return F.softmax(self.choice(features), dim=1)


def main(args):
    torch.manual_seed(args.seed)
    agent = Agent()
    optimizer = optim.Adam(agent.parameters(), lr=args.lr)
    eps = np.finfo(np.float32).eps.item()
    log_probs = []

    def act(observation):
        distribution = Categorical(agent(torch.tensor(observation).unsqueeze(0)))
        action = distribution.sample()
        log_probs.append(distribution.log_prob(action))
        return action.item()

    def learn(rewards):
        weights = standardised_returns(rewards, args.gamma, eps)
        loss = -(torch.cat(log_probs) * weights).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        log_probs.clear()
        return loss.item()

    agent.train()
    smoothed, episode_losses = play(args, act, learn)
    return agent, smoothed, episode_losses
"""

ACTOR_CRITIC = ENVIRONMENT + """

Decision = namedtuple('Decision', ['log_prob', 'value'])


class Agent(nn.Module):
    '''Action probabilities (the actor) and a value estimate (the critic) over one shared layer.'''

    def __init__(self, width=32):
        super().__init__()
        self.hidden = nn.Linear(4, width)
        self.actor = nn.Linear(width, 2)
        self.critic = nn.Linear(width, 1)

    def forward(self, observation):
        features = F.relu(self.hidden(observation))
        return F.softmax(self.actor(features), dim=-1), self.critic(features)


def main(args):
    torch.manual_seed(args.seed)
    agent = Agent()
    optimizer = optim.Adam(agent.parameters(), lr=args.lr)
    eps = np.finfo(np.float32).eps.item()
    decisions = []

    def act(observation):
        probabilities, value = agent(torch.tensor(observation))
        distribution = Categorical(probabilities)
        action = distribution.sample()
        decisions.append(Decision(distribution.log_prob(action), value))
        return action.item()

    def learn(rewards):
        actor_terms, critic_terms = [], []
        for decision, target in zip(decisions, standardised_returns(rewards, args.gamma, eps)):
            baseline = decision.value.item()
            actor_terms.append(-(target - baseline) * decision.log_prob)
            critic_terms.append(F.smooth_l1_loss(decision.value, torch.tensor([target])))
        loss = torch.stack(actor_terms).sum() + torch.stack(critic_terms).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        decisions.clear()
        return loss.item()

    smoothed, episode_losses = play(args, act, learn)
    return agent, smoothed, episode_losses
"""

SCRIPTS = {"reinforce": REINFORCE, "actor_critic": ACTOR_CRITIC}


def arguments(**changes):
    import argparse
    args = dict(gamma=0.9, seed=3, episodes=8, lr=2e-2, log_interval=10)
    args.update(changes)
    return argparse.Namespace(**args)


def with_actions(namespace, actions, record):
    """Makes the script's Categorical record the actions it samples (record=True) or hand back
    the given ones (record=False) instead of drawing."""
    base = namespace["Categorical"]
    torch = namespace["torch"]

    class Replayed(base):
        def sample(self, sample_shape=()):
            if record:
                action = super().sample(sample_shape)
                actions.append(action.tolist())
                return action
            return torch.tensor(actions.pop(0))

    namespace["Categorical"] = Replayed


@needs_torch
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_same_losses_and_weights_as_pytorch_for_the_same_actions(name, capsys):
    import torch

    import fastgrad
    with float64_scripts(torch, fastgrad):
        theirs = run_script(SCRIPTS[name], "torch", name)
        state = state_arrays(theirs["Agent"]())
        actions = []
        with_actions(theirs, actions, record=True)
        start_from(theirs, "Agent", state)
        their_policy, their_running, their_losses = theirs["main"](arguments())
        ours = run_script(SCRIPTS[name], "fastgrad", name)
        with_actions(ours, actions, record=False)
        start_from(ours, "Agent", state)
        policy, running, losses = ours["main"](arguments())
    assert not actions                                         # every recorded action was replayed
    assert len(losses) == 8
    np.testing.assert_allclose(losses, their_losses, rtol=1e-10, atol=1e-12)
    assert running == pytest.approx(their_running, rel=1e-12)
    assert_same_state(policy, their_policy, rtol=1e-9, atol=1e-12)
    assert policy.hidden.weight.dtype == fastgrad.float64


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_runs_unchanged_and_learns_to_follow_the_cue(name, capsys):
    out = run_script(SCRIPTS[name], "fastgrad", name)
    policy, running_reward, losses = out["main"](arguments(episodes=150, log_interval=50))
    assert "episode  150" in capsys.readouterr().out
    assert np.all(np.isfinite(losses))
    assert running_reward > 0.8       # a random walk's expected reward is below 0; the best is 0.98
    assert next(policy.parameters()).dtype == out["torch"].float32

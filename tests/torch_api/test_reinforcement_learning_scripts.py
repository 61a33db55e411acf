"""Policy-gradient scripts in the shape of pytorch/examples' reinforcement_learning (REINFORCE and
actor-critic) run with only their imports changed, on a small environment written in the script
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


def run_episodes(args, select_action, finish_episode, rewards):
    env = CuedCorridor(seed=args.seed)
    running_reward, losses = 0.0, []
    for i_episode in range(1, args.episodes + 1):
        state, ep_reward = env.reset(), 0.0
        for t in range(1, 10000):
            action = select_action(state)
            state, reward, done = env.step(action)
            rewards.append(reward)
            ep_reward += reward
            if done:
                break
        running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
        losses.append(finish_episode())
        if i_episode % args.log_interval == 0:
            print('Episode {}\\tLast reward: {:.2f}\\tAverage reward: {:.2f}'.format(
                  i_episode, ep_reward, running_reward))
    return running_reward, losses

def normalized_returns(rewards, gamma, eps):
    R = 0
    returns = []
    for r in rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    return (returns - returns.mean()) / (returns.std() + eps)
"""

REINFORCE = ENVIRONMENT + """

class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 32)
        self.dropout = nn.Dropout(p=0.2)
        self.affine2 = nn.Linear(32, 2)

        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)


def main(args):
    torch.manual_seed(args.seed)
    policy = Policy()
    optimizer = optim.Adam(policy.parameters(), lr=args.lr)
    eps = np.finfo(np.float32).eps.item()

    def select_action(state):
        state = torch.tensor(state).unsqueeze(0)
        probs = policy(state)
        m = Categorical(probs)
        action = m.sample()
        policy.saved_log_probs.append(m.log_prob(action))
        return action.item()

    def finish_episode():
        policy_loss = []
        returns = normalized_returns(policy.rewards, args.gamma, eps)
        for log_prob, R in zip(policy.saved_log_probs, returns):
            policy_loss.append(-log_prob * R)
        optimizer.zero_grad()
        policy_loss = torch.cat(policy_loss).sum()
        policy_loss.backward()
        optimizer.step()
        del policy.rewards[:]
        del policy.saved_log_probs[:]
        return policy_loss.item()

    policy.train()
    running_reward, losses = run_episodes(args, select_action, finish_episode, policy.rewards)
    return policy, running_reward, losses
"""

ACTOR_CRITIC = ENVIRONMENT + """

SavedAction = namedtuple('SavedAction', ['log_prob', 'value'])


class Policy(nn.Module):
    '''The actor and the critic share their first layer.'''

    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 32)
        self.action_head = nn.Linear(32, 2)
        self.value_head = nn.Linear(32, 1)

        self.saved_actions = []
        self.rewards = []

    def forward(self, x):
        x = F.relu(self.affine1(x))
        action_prob = F.softmax(self.action_head(x), dim=-1)
        state_values = self.value_head(x)
        return action_prob, state_values


def main(args):
    torch.manual_seed(args.seed)
    model = Policy()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    eps = np.finfo(np.float32).eps.item()

    def select_action(state):
        state = torch.tensor(state)
        probs, state_value = model(state)
        m = Categorical(probs)
        action = m.sample()
        model.saved_actions.append(SavedAction(m.log_prob(action), state_value))
        return action.item()

    def finish_episode():
        saved_actions = model.saved_actions
        policy_losses = []
        value_losses = []
        returns = normalized_returns(model.rewards, args.gamma, eps)
        for (log_prob, value), R in zip(saved_actions, returns):
            advantage = R - value.item()
            policy_losses.append(-log_prob * advantage)
            value_losses.append(F.smooth_l1_loss(value, torch.tensor([R])))
        optimizer.zero_grad()
        loss = torch.stack(policy_losses).sum() + torch.stack(value_losses).sum()
        loss.backward()
        optimizer.step()
        del model.rewards[:]
        del model.saved_actions[:]
        return loss.item()

    running_reward, losses = run_episodes(args, select_action, finish_episode, model.rewards)
    return model, running_reward, losses
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
        state = state_arrays(theirs["Policy"]())
        actions = []
        with_actions(theirs, actions, record=True)
        start_from(theirs, "Policy", state)
        their_policy, their_running, their_losses = theirs["main"](arguments())
        ours = run_script(SCRIPTS[name], "fastgrad", name)
        with_actions(ours, actions, record=False)
        start_from(ours, "Policy", state)
        policy, running, losses = ours["main"](arguments())
    assert not actions                                         # every recorded action was replayed
    assert len(losses) == 8
    np.testing.assert_allclose(losses, their_losses, rtol=1e-10, atol=1e-12)
    assert running == pytest.approx(their_running, rel=1e-12)
    assert_same_state(policy, their_policy, rtol=1e-9, atol=1e-12)
    assert policy.affine1.weight.dtype == fastgrad.float64


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_runs_unchanged_and_learns_to_follow_the_cue(name, capsys):
    out = run_script(SCRIPTS[name], "fastgrad", name)
    policy, running_reward, losses = out["main"](arguments(episodes=150, log_interval=50))
    assert "Episode 150" in capsys.readouterr().out
    assert np.all(np.isfinite(losses))
    assert running_reward > 0.8       # a random walk's expected reward is below 0; the best is 0.98
    assert next(policy.parameters()).dtype == out["torch"].float32

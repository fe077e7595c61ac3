# Stands for: the PPO scripts for continuous control (PPO-PyTorch by nikhilbarhate99 and the
# many copies of its ActorCritic): a RolloutBuffer of lists, an actor with Tanh layers whose
# action mean parameterises MultivariateNormal(action_mean, cov_mat) with cov_mat =
# torch.diag(action_var).unsqueeze(dim=0) when acting and torch.diag_embed(action_var)
# when evaluating, act() sampling under no_grad with dist.log_prob, Monte-Carlo returns
# normalised with (r - mean) / (std + 1e-7), K epochs of the clipped surrogate objective with
# torch.exp(logprobs - old_logprobs.detach()), torch.clamp(ratios, 1-eps, 1+eps), MSELoss on
# the critic and the entropy bonus, an old policy kept in sync with load_state_dict, and the
# action std decayed by set_action_std. Gym is replaced by a 1-D point-mass task.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
from minigrad.distributions import MultivariateNormal

device = torch.device('cpu')


class PointMass:
    """Push a point towards the origin; the reward is minus its distance."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def reset(self):
        self.pos = self.rng.uniform(-1, 1, 2)
        return self.pos.astype(np.float32)

    def step(self, action):
        self.pos = self.pos + 0.1 * np.clip(action, -1, 1)
        return self.pos.astype(np.float32), -float(np.linalg.norm(self.pos)), False


class RolloutBuffer:
    def __init__(self):
        self.actions = []
        self.states = []
        self.logprobs = []
        self.rewards = []
        self.state_values = []
        self.is_terminals = []

    def clear(self):
        del self.actions[:]
        del self.states[:]
        del self.logprobs[:]
        del self.rewards[:]
        del self.state_values[:]
        del self.is_terminals[:]


class ActorCritic(nn.Module):
    def __init__(self, state_dim, action_dim, action_std_init):
        super(ActorCritic, self).__init__()
        self.action_dim = action_dim
        self.action_var = torch.full((action_dim,), action_std_init * action_std_init).to(device)
        self.actor = nn.Sequential(nn.Linear(state_dim, 16), nn.Tanh(), nn.Linear(16, 16),
                                   nn.Tanh(), nn.Linear(16, action_dim), nn.Tanh())
        self.critic = nn.Sequential(nn.Linear(state_dim, 16), nn.Tanh(), nn.Linear(16, 16),
                                    nn.Tanh(), nn.Linear(16, 1))

    def set_action_std(self, new_action_std):
        self.action_var = torch.full((self.action_dim,),
                                     new_action_std * new_action_std).to(device)

    def act(self, state, noise):
        action_mean = self.actor(state)
        cov_mat = torch.diag(self.action_var).unsqueeze(dim=0)
        dist = MultivariateNormal(action_mean, cov_mat)
        # the draw is taken from fixed noise so that both libraries see the same actions
        action = action_mean + noise * self.action_var.sqrt()
        action_logprob = dist.log_prob(action)
        state_val = self.critic(state)
        return action.detach(), action_logprob.detach(), state_val.detach()

    def evaluate(self, state, action):
        action_mean = self.actor(state)
        action_var = self.action_var.expand_as(action_mean)
        cov_mat = torch.diag_embed(action_var).to(device)
        dist = MultivariateNormal(action_mean, cov_mat)
        if self.action_dim == 1:
            action = action.reshape(-1, self.action_dim)
        action_logprobs = dist.log_prob(action)
        dist_entropy = dist.entropy()
        state_values = self.critic(state)
        return action_logprobs, state_values, dist_entropy


class PPO:
    def __init__(self, state_dim, action_dim, lr_actor, lr_critic, gamma, K_epochs, eps_clip,
                 action_std_init, state):
        self.action_std = action_std_init
        self.gamma = gamma
        self.eps_clip = eps_clip
        self.K_epochs = K_epochs
        self.buffer = RolloutBuffer()
        self.policy = ActorCritic(state_dim, action_dim, action_std_init).to(device)
        if state is not None:
            self.policy.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        self.optimizer = torch.optim.Adam([
            {'params': self.policy.actor.parameters(), 'lr': lr_actor},
            {'params': self.policy.critic.parameters(), 'lr': lr_critic}])
        self.policy_old = ActorCritic(state_dim, action_dim, action_std_init).to(device)
        self.policy_old.load_state_dict(self.policy.state_dict())
        self.MseLoss = nn.MSELoss()

    def decay_action_std(self, action_std_decay_rate, min_action_std):
        self.action_std = round(max(self.action_std - action_std_decay_rate, min_action_std), 4)
        self.policy.set_action_std(self.action_std)
        self.policy_old.set_action_std(self.action_std)

    def select_action(self, state, noise):
        with torch.no_grad():
            state = torch.FloatTensor(state).to(device)
            action, action_logprob, state_val = self.policy_old.act(state, noise)
        self.buffer.states.append(state)
        self.buffer.actions.append(action)
        self.buffer.logprobs.append(action_logprob)
        self.buffer.state_values.append(state_val)
        return action.detach().cpu().numpy().flatten()

    def update(self, losses):
        rewards = []
        discounted_reward = 0
        for reward, is_terminal in zip(reversed(self.buffer.rewards),
                                       reversed(self.buffer.is_terminals)):
            if is_terminal:
                discounted_reward = 0
            discounted_reward = reward + (self.gamma * discounted_reward)
            rewards.insert(0, discounted_reward)
        rewards = torch.tensor(rewards, dtype=torch.float32).to(device)
        rewards = (rewards - rewards.mean()) / (rewards.std() + 1e-7)
        old_states = torch.squeeze(torch.stack(self.buffer.states, dim=0)).detach().to(device)
        old_actions = torch.squeeze(torch.stack(self.buffer.actions, dim=0)).detach().to(device)
        old_logprobs = torch.squeeze(torch.stack(self.buffer.logprobs, dim=0)).detach()
        old_state_values = torch.squeeze(torch.stack(self.buffer.state_values, dim=0)).detach()
        advantages = rewards.detach() - old_state_values.detach()
        for _ in range(self.K_epochs):
            logprobs, state_values, dist_entropy = self.policy.evaluate(old_states, old_actions)
            state_values = torch.squeeze(state_values)
            ratios = torch.exp(logprobs - old_logprobs.detach())
            surr1 = ratios * advantages
            surr2 = torch.clamp(ratios, 1 - self.eps_clip, 1 + self.eps_clip) * advantages
            loss = -torch.min(surr1, surr2) + 0.5 * self.MseLoss(state_values, rewards) \
                - 0.01 * dist_entropy
            self.optimizer.zero_grad()
            loss.mean().backward()
            self.optimizer.step()
            losses.append(loss.mean().item())
        self.policy_old.load_state_dict(self.policy.state_dict())
        self.buffer.clear()


def main(steps=2, state=None):
    env = PointMass(0)
    noise = np.random.default_rng(1).standard_normal((100, 2)).astype(np.float32)
    agent = PPO(2, 2, lr_actor=3e-4, lr_critic=1e-3, gamma=0.99, K_epochs=3, eps_clip=0.2,
                action_std_init=0.6, state=state)
    initial = {k: v.detach().numpy().copy() for k, v in agent.policy.state_dict().items()}
    losses = []
    t = 0
    for episode in range(steps):
        obs = env.reset()
        for step in range(10):
            action = agent.select_action(obs, torch.from_numpy(noise[t]))
            t += 1
            obs, reward, done = env.step(action)
            agent.buffer.rewards.append(reward)
            agent.buffer.is_terminals.append(step == 9)
        agent.update(losses)
        agent.decay_action_std(0.05, 0.1)
        losses.append(agent.action_std)
    return {"losses": losses, "initial": initial}

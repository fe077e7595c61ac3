# Stands for: the PyTorch examples repository's graph attention network (gat/main.py): a
# GraphAttentionLayer with a weight from nn.init.xavier_normal_, multi-head projections reshaped
# with view/permute, attention scores from the concatenated source and target halves through
# leaky_relu, masked_fill of non-edges with -inf before softmax, dropout, matmul with the
# node features and concatenated or averaged heads, a two-layer GAT with elu and log_softmax,
# Adam with weight decay, and nll_loss on the training nodes' index tensor. The Cora citation
# graph is replaced by a small random graph with self loops; dropout is zero.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F


class GraphAttentionLayer(nn.Module):
    def __init__(self, in_features, out_features, n_heads, concat=False, dropout=0.4,
                 leaky_relu_slope=0.2):
        super(GraphAttentionLayer, self).__init__()
        self.n_heads = n_heads
        self.concat = concat
        self.dropout = dropout
        if concat:
            self.out_features = out_features
            assert out_features % n_heads == 0
            self.n_hidden = out_features // n_heads
        else:
            self.n_hidden = out_features
        self.W = nn.Parameter(torch.empty(size=(in_features, self.n_hidden * n_heads)))
        self.a = nn.Parameter(torch.empty(size=(n_heads, 2 * self.n_hidden, 1)))
        self.leakyrelu = nn.LeakyReLU(leaky_relu_slope)
        self.softmax = nn.Softmax(dim=1)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.xavier_normal_(self.W)
        nn.init.xavier_normal_(self.a)

    def _get_attention_scores(self, h_transformed):
        source_scores = torch.matmul(h_transformed, self.a[:, :self.n_hidden, :])
        target_scores = torch.matmul(h_transformed, self.a[:, self.n_hidden:, :])
        e = source_scores + target_scores.mT
        return self.leakyrelu(e)

    def forward(self, h, adj_mat):
        n_nodes = h.shape[0]
        h_transformed = torch.mm(h, self.W)
        h_transformed = F.dropout(h_transformed, self.dropout, training=self.training)
        h_transformed = h_transformed.view(n_nodes, self.n_heads, self.n_hidden).permute(1, 0, 2)
        e = self._get_attention_scores(h_transformed)
        connectivity_mask = -9e16 * torch.ones_like(e)
        e = torch.where(adj_mat > 0, e, connectivity_mask)
        attention = F.softmax(e, dim=-1)
        attention = F.dropout(attention, self.dropout, training=self.training)
        h_prime = torch.matmul(attention, h_transformed)
        if self.concat:
            h_prime = h_prime.permute(1, 0, 2).contiguous().view(n_nodes, self.out_features)
        else:
            h_prime = h_prime.mean(dim=0)
        return h_prime


class GAT(nn.Module):
    def __init__(self, in_features, n_hidden, n_heads, num_classes, concat=False, dropout=0.4,
                 leaky_relu_slope=0.2):
        super(GAT, self).__init__()
        self.gat1 = GraphAttentionLayer(in_features=in_features, out_features=n_hidden,
                                        n_heads=n_heads, concat=concat, dropout=dropout,
                                        leaky_relu_slope=leaky_relu_slope)
        self.gat2 = GraphAttentionLayer(in_features=n_hidden, out_features=num_classes,
                                        n_heads=1, concat=False, dropout=dropout,
                                        leaky_relu_slope=leaky_relu_slope)

    def forward(self, input_tensor, adj_mat):
        x = self.gat1(input_tensor, adj_mat)
        x = F.elu(x)
        x = self.gat2(x, adj_mat)
        return F.log_softmax(x, dim=1)


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    n_nodes, n_features, n_classes = 12, 6, 3
    features = torch.tensor(rng.random((n_nodes, n_features), dtype=np.float32))
    features = features / features.sum(1, keepdim=True)
    edges = rng.random((n_nodes, n_nodes)) < 0.25
    adj = torch.tensor((edges | edges.T | np.eye(n_nodes, dtype=bool)).astype(np.float32))
    labels = torch.tensor(rng.integers(0, n_classes, n_nodes))
    idx_train, idx_val = torch.arange(0, 8), torch.arange(8, 12)
    model = GAT(in_features=n_features, n_hidden=8, n_heads=2, num_classes=n_classes,
                concat=True, dropout=0.0)
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), lr=0.005, weight_decay=5e-4)
    criterion = nn.NLLLoss()
    losses = []
    for epoch in range(steps):
        model.train()
        optimizer.zero_grad()
        output = model(features, adj)
        loss = criterion(output[idx_train], labels[idx_train])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            output = model(features, adj)
            val_loss = criterion(output[idx_val], labels[idx_val])
            val_acc = (output[idx_val].argmax(dim=1) == labels[idx_val]).float().mean()
        print(f'Epoch {epoch}: val loss {val_loss.item():.4f} acc {val_acc.item():.2f}')
        losses.append(val_loss.item())
    return {"losses": losses, "initial": initial}

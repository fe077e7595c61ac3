# Stands for: the official PyTorch tutorial "Text classification with the torchtext library":
# a vocabulary built from token counts, text_pipeline/label_pipeline, a collate_batch that
# concatenates the token ids of a batch and records their offsets with torch.cumsum, a
# TextClassificationModel of nn.EmbeddingBag(mode mean) and a Linear layer with uniform_
# initialisation, CrossEntropyLoss, SGD with StepLR, clip_grad_norm_, random_split into
# train and validation sets, and evaluation counting argmax hits. The AG_NEWS corpus is a
# handful of generated headlines and torchtext's tokenizer a str.split.
from collections import Counter

import numpy as np

import minigrad as torch
from minigrad import nn
from minigrad.utils.data import DataLoader
from minigrad.utils.data.dataset import random_split

TOPICS = {1: ["match", "goal", "team", "cup"], 2: ["stocks", "bank", "market", "rates"],
          3: ["chip", "software", "phone", "robot"], 4: ["election", "minister", "vote", "law"]}


def make_corpus(rng, n):
    words = [w for ws in TOPICS.values() for w in ws] + ["the", "a", "new", "today"]
    out = []
    for _ in range(n):
        label = int(rng.integers(1, 5))
        text = list(rng.choice(TOPICS[label], 3)) + list(rng.choice(words, 3))
        rng.shuffle(text)
        out.append((label, " ".join(text)))
    return out


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    train_iter = make_corpus(rng, 24)
    counter = Counter(tok for _, line in train_iter for tok in line.split())
    vocab = {"<unk>": 0}
    for tok, _ in counter.most_common():
        vocab[tok] = len(vocab)

    def text_pipeline(x):
        return [vocab.get(tok, 0) for tok in x.split()]

    def label_pipeline(x):
        return int(x) - 1

    def collate_batch(batch):
        label_list, text_list, offsets = [], [], [0]
        for _label, _text in batch:
            label_list.append(label_pipeline(_label))
            processed_text = torch.tensor(text_pipeline(_text), dtype=torch.int64)
            text_list.append(processed_text)
            offsets.append(processed_text.size(0))
        label_list = torch.tensor(label_list, dtype=torch.int64)
        offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
        text_list = torch.cat(text_list)
        return label_list, text_list, offsets

    num_class = len(set([label for (label, text) in train_iter]))
    model = TextClassificationModel(len(vocab), 8, num_class)
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=5)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)

    num_train = int(len(train_iter) * 0.75)
    split_train_, split_valid_ = random_split(
        train_iter, [num_train, len(train_iter) - num_train],
        generator=torch.Generator().manual_seed(0))
    assert len(split_train_) == 18 and len(split_valid_) == 6
    train_dataloader = DataLoader(train_iter[:16], batch_size=8, collate_fn=collate_batch)
    valid_dataloader = DataLoader(train_iter[16:], batch_size=8, collate_fn=collate_batch)

    losses = []
    for epoch in range(1, steps + 1):
        model.train()
        for idx, (label, text, offsets) in enumerate(train_dataloader):
            optimizer.zero_grad()
            predicted_label = model(text, offsets)
            loss = criterion(predicted_label, label)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        total_acc, total_count = 0, 0
        with torch.no_grad():
            for idx, (label, text, offsets) in enumerate(valid_dataloader):
                predicted_label = model(text, offsets)
                losses.append(criterion(predicted_label, label).item())
                total_acc += (predicted_label.argmax(1) == label).sum().item()
                total_count += label.size(0)
        print("| epoch {:3d} | valid accuracy {:8.3f} ".format(epoch, total_acc / total_count))
        scheduler.step()

    with torch.no_grad():
        text = torch.tensor(text_pipeline("goal team match today"))
        print("This is a %d news" % (model(text, torch.tensor([0])).argmax(1).item() + 1))
    return {"losses": losses, "initial": initial}

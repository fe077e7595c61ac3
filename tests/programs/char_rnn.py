# Stands for: the official PyTorch tutorials "NLP From Scratch: Classifying Names with a
# Character-Level RNN" and "Generating Names with a Character-Level RNN": letters one-hot
# encoded with torch.zeros and index assignment (letterToTensor/lineToTensor), an nn.RNN
# classifier with a Linear head and LogSoftmax, categoryFromOutput with topk, NLLLoss and the
# hand-written update p.data.add_(p.grad.data, alpha=-lr); and the generator RNN that
# concatenates category, input and hidden with torch.cat, i2h/i2o/o2o Linear layers, dropout,
# a summed per-letter loss, and sampling that feeds back the topk letter under no_grad. The
# names are a short built-in list.
import string

import numpy as np

import minigrad as torch
import minigrad.nn as nn

all_letters = string.ascii_letters + " .,;'"
n_letters = len(all_letters)

category_lines = {
    "English": ["Smith", "Jones", "Taylor", "Brown"],
    "French": ["Dupont", "Durand", "Lefevre", "Moreau"],
    "Italian": ["Rossi", "Russo", "Ferrari", "Esposito"],
}
all_categories = list(category_lines)
n_categories = len(all_categories)


def letterToIndex(letter):
    return all_letters.find(letter)


def letterToTensor(letter):
    tensor = torch.zeros(1, n_letters)
    tensor[0][letterToIndex(letter)] = 1
    return tensor


def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor


class CharRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(CharRNN, self).__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, line_tensor):
        rnn_out, hidden = self.rnn(line_tensor)
        output = self.h2o(hidden[0])
        output = self.softmax(output)
        return output


def categoryFromOutput(output):
    top_n, top_i = output.topk(1)
    category_i = top_i[0].item()
    return all_categories[category_i], category_i


class GeneratorRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size, dropout):
        super(GeneratorRNN, self).__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(n_categories + input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(n_categories + input_size + hidden_size, output_size)
        self.o2o = nn.Linear(hidden_size + output_size, output_size)
        self.dropout = nn.Dropout(dropout)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, category, input, hidden):
        input_combined = torch.cat((category, input, hidden), 1)
        hidden = self.i2h(input_combined)
        output = self.i2o(input_combined)
        output_combined = torch.cat((hidden, output), 1)
        output = self.o2o(output_combined)
        output = self.dropout(output)
        output = self.softmax(output)
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


def categoryTensor(category):
    li = all_categories.index(category)
    tensor = torch.zeros(1, n_categories)
    tensor[0][li] = 1
    return tensor


def inputTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters + 1)
    for li in range(len(line)):
        letter = line[li]
        tensor[li][0][all_letters.find(letter)] = 1
    return tensor


def targetTensor(line):
    letter_indexes = [all_letters.find(line[li]) for li in range(1, len(line))]
    letter_indexes.append(n_letters)  # EOS
    return torch.LongTensor(letter_indexes)


def sample(rnn, category, start_letter='A', max_length=8):
    with torch.no_grad():
        category_tensor = categoryTensor(category)
        input = inputTensor(start_letter)
        hidden = rnn.initHidden()
        output_name = start_letter
        for i in range(max_length):
            output, hidden = rnn(category_tensor, input[0], hidden)
            topv, topi = output.topk(1)
            topi = topi[0][0]
            if topi == n_letters:
                break
            else:
                letter = all_letters[topi]
                output_name += letter
            input = inputTensor(letter)
        return output_name


def main(steps=2, state=None):
    print(letterToTensor('J'))
    print(lineToTensor('Jones').size())
    classifier = CharRNN(n_letters, 16, n_categories)
    generator = GeneratorRNN(n_letters + 1, 16, n_letters + 1, dropout=0.0)
    if state is not None:
        classifier.load_state_dict({k[2:]: torch.tensor(v) for k, v in state.items()
                                    if k.startswith('c.')})
        generator.load_state_dict({k[2:]: torch.tensor(v) for k, v in state.items()
                                   if k.startswith('g.')})
    initial = {'c.' + k: v.detach().numpy().copy() for k, v in classifier.state_dict().items()}
    initial.update({'g.' + k: v.detach().numpy().copy()
                    for k, v in generator.state_dict().items()})

    criterion = nn.NLLLoss()
    learning_rate = 0.005
    losses = []
    pairs = [(c, line) for c in all_categories for line in category_lines[c]]
    order = np.random.default_rng(0).permutation(len(pairs))[:3 * steps]
    for i in order:
        category, line = pairs[i]
        category_tensor = torch.tensor([all_categories.index(category)], dtype=torch.long)
        line_tensor = lineToTensor(line)
        classifier.zero_grad()
        output = classifier(line_tensor)
        loss = criterion(output, category_tensor)
        loss.backward()
        for p in classifier.parameters():
            p.data.add_(p.grad.data, alpha=-learning_rate)
        guess, guess_i = categoryFromOutput(output)
        print(line, guess, '✓' if guess == category else '✗ (%s)' % category)
        losses.append(loss.item())

    for i in order:
        category, line = pairs[i]
        category_tensor = categoryTensor(category)
        input_line_tensor = inputTensor(line)
        target_line_tensor = targetTensor(line)
        target_line_tensor.unsqueeze_(-1)
        hidden = generator.initHidden()
        generator.zero_grad()
        loss = torch.Tensor([0])
        for j in range(input_line_tensor.size(0)):
            output, hidden = generator(category_tensor, input_line_tensor[j], hidden)
            l = criterion(output, target_line_tensor[j])
            loss += l
        loss.backward()
        for p in generator.parameters():
            p.data.add_(p.grad.data, alpha=-learning_rate)
        losses.append(loss.item() / input_line_tensor.size(0))
    for category in all_categories:
        print(category, sample(generator, category, 'R'))
    return {"losses": losses, "initial": initial}

"""Evidence a modeller asks of chainsim: the cases' observed patterns (pattern-oriented
modelling, Grimm et al. 2005), the paper's propositions over the parameters it does not
fix (robustness), and global sensitivity. Everything here reads runs; nothing changes
the model."""

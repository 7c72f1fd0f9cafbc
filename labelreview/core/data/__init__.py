"""Data: sources (folders, labels CSVs, arrays, MNIST), image decoding, the pixel cache, labels CSV I/O, synthetic noise."""

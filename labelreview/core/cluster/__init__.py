"""Scoring on a Ray cluster: the same embeddings, folds and result files as a local run, computed by Ray tasks.

Ray is an optional extra (``pip install 'labelreview[cluster]'``) imported only when a run asks for a
cluster: :mod:`connect` joins or starts one (usage statistics off, no dashboard), :mod:`shards` fills the
embedding store and the image-quality cache from shards of images decoded on the workers, :mod:`folds` trains
one fold per task, and
:mod:`tasks` collects results as they finish, reporting progress and cancelling what is left.
"""

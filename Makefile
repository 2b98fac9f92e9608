# pkiodesk: `make run` starts the app (demo organisation when there is no
# database yet), `make test` runs every test, `make dist` builds the Windows
# zip and the Linux package, `make install PREFIX=...` installs that package.
# They install missing system packages with apt-get when they can.
GO      ?= go
# Two programs: build/pkiodesk is the command line (no GUI code, so it starts
# in milliseconds and runs without a display); without a command it starts
# build/pkiodesk-gui, the window, which sits next to it.
BIN     := build/pkiodesk
GUI     := build/pkiodesk-gui
# Tests run with an English C locale for Fyne's locale parser; the app
# itself follows the user's locale and speaks Dutch by default.
TESTENV := LANG=en_US.UTF-8
VERSION := $(shell sed -n 's/^Version = "\(.*\)"$$/\1/p' FyneApp.toml)
WINDOWS := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc
PREFIX  ?= /usr/local
LINUX_PACKAGE := build/dist/pkiodesk-$(VERSION)-linux-amd64.tar.xz

.PHONY: run build windows dist dist-windows dist-linux dist-linux-arm64 install uninstall \
	check-dist check-wine check-package test vet modcheck bench fuzz screenshots \
	deps-build deps-run deps-test deps-windows deps-dist deps-check deps-arm64 fixtures clean

run: deps-run build
	./$(BIN) --demo-if-new

build: deps-build
	$(GO) build -o $(BIN) ./cmd/pkiodesk
	$(GO) build -o $(GUI) .

# A Windows build from Linux (mingw): build/windows-amd64/pkiodesk.exe, the
# window (GUI subsystem), and pkiodesk.com, the command line, both with icon,
# version and manifest from FyneApp.toml. The cold build takes about 8
# minutes. The vet step also compiles every test for Windows.
windows: deps-build deps-windows
	$(WINDOWS) $(GO) vet ./...
	scripts/dist.sh windows

# Installable builds in build/dist: the Windows zip (pkiodesk.exe,
# pkiodesk.com, README) and the Linux amd64 package (`fyne package`: tar.xz
# with both programs, .desktop file, icon and a Makefile).
dist: dist-windows dist-linux
dist-windows: windows
	scripts/dist.sh windows-zip
dist-linux: deps-build deps-dist
	scripts/dist.sh linux amd64
# Linux arm64, cross-built with Debian's aarch64 gcc (cold about 2 minutes
# plus the arm64 -dev packages); not part of `make dist`.
dist-linux-arm64: deps-arm64 deps-dist
	scripts/dist.sh linux arm64

# Installs the Linux package with its own Makefile: PREFIX (default
# /usr/local) and DESTDIR work as usual. `make uninstall` removes it again.
install: dist-linux
	rm -rf build/install && mkdir -p build/install
	tar -xJf $(LINUX_PACKAGE) -C build/install
	$(MAKE) -C build/install/pkiodesk install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
uninstall:
	test -f $(LINUX_PACKAGE) || $(MAKE) dist-linux
	rm -rf build/uninstall && mkdir -p build/uninstall
	tar -xJf $(LINUX_PACKAGE) -C build/uninstall
	$(MAKE) -C build/uninstall/pkiodesk uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# What `make dist` built starts: pkiodesk.exe under wine with Xvfb (demo,
# login screen, the card service's message), and the Linux package installed
# into a temporary prefix (desktop-file-validate, window under Xvfb).
# SCREENSHOT_DIR=$(CURDIR)/docs/screenshots keeps the screenshots.
check-dist: check-wine check-package
check-wine: deps-check
	test -f build/windows-amd64/pkiodesk.exe || $(MAKE) dist-windows
	scripts/wine-check.sh build/windows-amd64
check-package: deps-check
	test -f $(LINUX_PACKAGE) || $(MAKE) dist-linux
	scripts/package-check.sh $(LINUX_PACKAGE)

# All tests. Real parts (SoftHSM, pcscd + virtual card, pdfsig, Xvfb) are
# started by scripts/fixtures.sh; in CI (CI=true) a missing one fails a test.
test: deps-test fixtures vet modcheck
	. build/fixtures.env && $(TESTENV) $(GO) test -tags ci -count=1 -timeout 25m ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt needed"; exit 1; }
	$(GO) vet -tags ci ./...

# go.mod and go.sum say exactly what the code imports, and the downloaded
# modules are the ones go.sum names.
modcheck:
	@$(GO) mod tidy -diff || { echo "go.mod is not tidy: run 'go mod tidy'"; exit 1; }
	$(GO) mod verify

fixtures:
	scripts/fixtures.sh

# Refreshes docs/screenshots from the real window under Xvfb.
screenshots: deps-test fixtures
	. build/fixtures.env && $(TESTENV) PKIODESK_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(GO) test -tags ci -count=1 -run TestRealWindow .
	. build/fixtures.env && $(TESTENV) PKIODESK_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(GO) test -tags ci -count=1 -run 'TestServerWizardToConfirmation|TestWizardDraftSurvives|TestPersonalESealAndRevokeWizards|TestESealCloudActivation|TestChangeFormSignedWithTheCard|TestBVFormSignedWithTheCard|TestOrderListShowsDamagedAndDeletesDrafts' ./screens
	. build/fixtures.env && $(TESTENV) PKIODESK_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(GO) test -tags ci -count=1 -run TestBVFormPrintableAndSealed ./app

bench:
	$(GO) test -tags ci -run '^$$' -bench . -benchmem ./...

# A short coverage-guided run of every fuzz target (FUZZTIME=1m for longer).
FUZZTIME ?= 20s
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

deps-build:
	@scripts/deps.sh build
deps-run:
	@scripts/deps.sh run
deps-test:
	@scripts/deps.sh test
deps-windows:
	@scripts/deps.sh windows
deps-dist:
	@scripts/deps.sh dist
deps-check:
	@scripts/deps.sh check
deps-arm64:
	@scripts/deps.sh arm64

clean:
	rm -rf build

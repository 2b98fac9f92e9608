# pkiodesk: `make run` starts the app (demo organisation when there is no
# database yet), `make test` runs every test. Both install missing system
# packages with apt-get when they can.
GO      ?= go
BIN     := build/pkiodesk
# Tests run with an English C locale for Fyne's locale parser; the app
# itself follows the user's locale and speaks Dutch by default.
TESTENV := LANG=en_US.UTF-8

.PHONY: run build windows test vet bench fuzz screenshots deps-build deps-run deps-test deps-windows fixtures clean

run: deps-run build
	./$(BIN) --demo-if-new

build: deps-build
	$(GO) build -o $(BIN) .

# A Windows build from Linux (mingw); the cold build takes about 8 minutes.
# The vet step also compiles every test for Windows.
windows: deps-build deps-windows
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) vet ./...
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) build -ldflags "-H=windowsgui" -o $(BIN).exe .

# All tests. Real parts (SoftHSM, pcscd + virtual card, pdfsig, Xvfb) are
# started by scripts/fixtures.sh; in CI (CI=true) a missing one fails a test.
test: deps-test fixtures vet
	. build/fixtures.env && $(TESTENV) $(GO) test -tags ci -count=1 -timeout 25m ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt needed"; exit 1; }
	$(GO) vet -tags ci ./...

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

clean:
	rm -rf build

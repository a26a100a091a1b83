# mailcon: see README.md.  `make`, `make check`, `make bench`, `make install`.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/mailcon
THEMEDIR ?= $(DATADIR)/themes
DESTDIR	?=
BUILD	?= build
CC	?= cc
PKG_CONFIG ?= pkg-config

VERSION	= 0.1.0
PKGS	= zlib inih ncursesw sqlite3 libcares libnotify libssh2 libcrypto

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
INIH_VERSION := $(shell $(PKG_CONFIG) --modversion inih 2>/dev/null)

WARN	= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	  -Wpointer-arith -Wformat=2 -Wno-unused-parameter
# CI (CI=true) and `make check` treat warnings as errors.
ifeq ($(CI),true)
WARN	+= -Werror
endif
ifdef WERROR
WARN	+= -Werror
endif

OPT	?= -O2 -g
CFLAGS	?= $(OPT)
ALL_CFLAGS = -std=c11 -Iconsole -Ibackends -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	  -DMAILCON_VERSION='"$(VERSION)"' -DINIH_VERSION='"$(INIH_VERSION)"' \
	  -DMAILCON_THEMEDIR='"$(THEMEDIR)"' -DMAILCON_DATADIR='"$(DATADIR)"' $(WARN) $(CFLAGS) $(SAN_FLAGS) \
	  $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS) -pthread

# The sanitizer build of the tests (make check runs it in build/asan).
ifdef SAN
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
endif

LIB_SRC	= $(wildcard backends/*.c) $(filter-out console/main.c,$(wildcard console/*.c))
LIB_OBJ	= $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all check unit deps demo fuzz integration screen bench clean install uninstall print-libs

all: $(BUILD)/mailcon

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libmailcon.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/mailcon: $(BUILD)/console/main.o $(BUILD)/libmailcon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmailcon.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iconsole -Ibackends -o $@ $< $(BUILD)/libmailcon.a \
	    $(ALL_LDFLAGS) $(PKG_LIBS) -lcmocka -lm

# The README's first command: the console replaying the bundled incident
# (real Postfix and Dovecot logs recorded by the integration test), or the
# offline report of it when there is no terminal.
demo: deps
	$(MAKE) all
	if [ -t 1 ]; then $(BUILD)/mailcon --demo; else \
	    $(BUILD)/mailcon scan --year 2026 --utc tests/fixtures/demo/*.log.gz \
	    || [ $$? -eq 1 ]; fi

# Install the Debian packages the tests need, when missing.
deps:
	@sh tests/deps.sh

unit: $(UNIT_BIN) $(BUILD)/mailcon
	@sh tests/unit/run.sh $(UNIT_BIN)

fuzz:
	@sh tests/fuzz/run.sh

integration: $(BUILD)/mailcon
	@sh tests/integration/run.sh $(BUILD)/mailcon

# The console in tmux: views against expected screens, live detection.
screen: $(BUILD)/mailcon
	@bash tests/screen/run.sh $(BUILD)/mailcon

# Everything: plain unit tests, the same under ASan+UBSan, the fuzzers for a
# short while, then the tests against the real Postfix + Dovecot.
check: deps
	$(MAKE) WERROR=1 unit
	$(MAKE) WERROR=1 BUILD=build/asan SAN=1 unit
	$(MAKE) fuzz
	$(MAKE) WERROR=1 integration
	$(MAKE) WERROR=1 screen
	@echo "make check: all tests passed"

# What a program linking build/libmailcon.a needs (the test drivers).
print-libs:
	@echo $(PKG_LIBS) -lm -pthread

bench: $(BUILD)/mailcon
	@MAILCON_BENCH_DEPS=1 sh tests/deps.sh
	@sh tests/bench/run.sh $(BUILD)/mailcon

install: $(BUILD)/mailcon
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BUILD)/mailcon $(DESTDIR)$(BINDIR)/mailcon
	install -m 644 console/mailcon.1 $(DESTDIR)$(MANDIR)/man1/mailcon.1
	install -d $(DESTDIR)$(THEMEDIR) $(DESTDIR)$(DATADIR)/demo
	install -m 644 themes/*.theme $(DESTDIR)$(THEMEDIR)
	install -m 644 tests/fixtures/demo/*.log.gz $(DESTDIR)$(DATADIR)/demo

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mailcon $(DESTDIR)$(MANDIR)/man1/mailcon.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Lodestone — one plain GNU Makefile with pkg-config.
#
#   make            release build, binary at ./lodestone
#   make sanitize   ASan + UBSan build under build/san (what the tests run on)
#   make test       install missing deps, sanitize build, run every test
#   make demo       install missing deps, build, seed lodestone-demo.db, serve :8080
#   make bench      benchmarks (long; never part of make test)
#   make fuzz       libFuzzer runs of every parser target (needs clang)
#   V=1             show the full compiler command lines
#
# Sources are discovered: src/<module>/*.c is the library (src/cli/ is the
# binary), tests/unit/<module>/test_*.c, tests/prop/test_*.c and
# tests/e2e/test_*.c are one test program each.

CC       ?= cc
MODE     ?= rel
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
O        := build/$(MODE)
PKGS     := sqlite3 libevent libevent_pthreads jansson libsodium clp xlsxwriter
TESTPKGS := cmocka libcurl

WARN := -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wundef -Wwrite-strings -Wformat=2 -Wvla \
        -Wimplicit-fallthrough -Wcast-qual -Wpointer-arith
HARDEN   := -fstack-protector-strong -fPIE -D_FORTIFY_SOURCE=2
LDHARDEN := -pie -Wl,-z,relro,-z,now

ifeq ($(MODE),san)
OPT := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDSAN := -fsanitize=address,undefined
else
OPT := -O2 -g
LDSAN :=
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
CPPFLAGS  += -Iinclude -Isrc -D_GNU_SOURCE
CFLAGS    := $(WARN) $(OPT) $(HARDEN) $(EXTRA_CFLAGS)
LDFLAGS   := $(LDHARDEN) $(LDSAN)

LIB_SRC  := $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SRC  := $(wildcard src/cli/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(O)/%.o)
LIB      := $(O)/liblodestone.a
BIN      := $(O)/lodestone

TEST_SRC := $(wildcard tests/unit/*/test_*.c tests/prop/test_*.c tests/e2e/test_*.c)
HARNESS  := $(wildcard tests/harness/*.c)
TEST_BIN := $(TEST_SRC:%.c=$(O)/%)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
REPLAY_BIN := $(FUZZ_SRC:fuzz/%.c=$(O)/fuzz/replay_%)

# Integer width matters in the engines: they add -Wconversion.
$(O)/src/mcf/%.o $(O)/src/ledger/%.o: CFLAGS += -Wconversion

.PHONY: all sanitize deps test demo bench fuzz clean tests-built print-pkgs
.DEFAULT_GOAL := all

all: deps-check $(BIN)
	@cp $(BIN) ./lodestone.tmp && mv -f ./lodestone.tmp ./lodestone

deps-check:
	@pkg-config --exists $(PKGS) || { echo "missing libraries: run scripts/install-deps" >&2; exit 1; }

ifeq ($(V),1)
Q :=
else
Q := @
endif

$(O)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(PKG_LIBS)

HARNESS_OBJ := $(HARNESS:%.c=$(O)/%.o)
$(O)/tests/%: tests/%.c $(HARNESS_OBJ) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(CPPFLAGS) -Itests/harness -Isrc $(PKG_CFLAGS) $(shell pkg-config --cflags $(TESTPKGS)) \
	    $(CFLAGS) -o $@ $< $(HARNESS_OBJ) $(LIB) $(LDFLAGS) $(PKG_LIBS) $(shell pkg-config --libs $(TESTPKGS))
$(O)/tests/harness/%.o: CPPFLAGS += -Itests/harness
$(O)/tests/harness/%.o: PKG_CFLAGS += $(shell pkg-config --cflags $(TESTPKGS))

$(O)/fuzz/replay_%: fuzz/%.c fuzz/replay_main.c $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CC) $(CPPFLAGS) -Isrc $(PKG_CFLAGS) $(CFLAGS) -o $@ $< fuzz/replay_main.c $(LIB) $(LDFLAGS) $(PKG_LIBS)

tests-built: $(BIN) $(TEST_BIN) $(REPLAY_BIN)

sanitize: deps-check
	$(MAKE) MODE=san tests-built

deps:
	@scripts/install-deps

test: deps
	$(MAKE) -j$(JOBS) MODE=san tests-built
	$(MAKE) -j$(JOBS) all
	@tests/run build/san

demo: deps
	$(MAKE) -j$(JOBS) all
	./lodestone demo --db lodestone-demo.db --port 8080

bench: deps all
	@bench/run

fuzz: deps
	@fuzz/run

print-pkgs:
	@echo $(PKGS)

clean:
	rm -rf build lodestone

-include $(shell find build -name '*.d' 2>/dev/null)

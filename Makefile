# SPDX-License-Identifier: GPL-2.0-only
#
# make            build ./foliosim
# make check      build the tests (plain and with ASan+UBSan) and run them
# make bench      build and run the benchmarks
# make fuzz       build the scenario-parser fuzzer (clang, libFuzzer)

CC ?= gcc
CFLAGS ?= -O2 -g
WARN := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wundef \
	-Wmissing-prototypes -Wstrict-prototypes -Wno-missing-field-initializers
CPPFLAGS += -Isrc -D_GNU_SOURCE -MMD -MP
SAN := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
LDLIBS := -lpthread

LIB_SRC := $(sort $(wildcard src/config/*.c src/model/*.c src/scenario/*.c src/report/*.c \
	src/exec/*.c src/snapshot/*.c \
	src/explore/*.c src/kernel/*.c src/host/*.c src/diff/*.c src/export/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/t[0-9]*.c))
TEST_LIB := $(sort $(wildcard tests/lib/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_LIB := $(sort $(wildcard bench/lib/*.c))

OBJ := build/obj
SOBJ := build/san

lib_objs = $(patsubst %.c,$(1)/%.o,$(LIB_SRC))
TESTS := $(patsubst tests/%.c,build/tests/%,$(TEST_SRC))
STESTS := $(patsubst tests/%.c,build/tests-san/%,$(TEST_SRC))

all: foliosim

# The commit the binary was built from, for the header of exported tests;
# rewritten only when it changes.
build/version.h: FORCE
	@mkdir -p build
	@v=$$(git describe --always --dirty 2>/dev/null || echo unknown); \
	echo "#define FOLIOSIM_COMMIT \"$$v\"" > $@.tmp; \
	cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(OBJ)/src/cli/cmd_export.o $(SOBJ)/src/cli/cmd_export.o: build/version.h
$(OBJ)/src/cli/cmd_export.o $(SOBJ)/src/cli/cmd_export.o: CPPFLAGS += -Ibuild

foliosim: $(call lib_objs,$(OBJ)) $(patsubst %.c,$(OBJ)/%.o,$(CLI_SRC))
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(SOBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(SAN) -c -o $@ $<

build/tests/%: $(OBJ)/tests/%.o $(call lib_objs,$(OBJ)) \
		$(patsubst %.c,$(OBJ)/%.o,$(TEST_LIB))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/tests-san/%: $(SOBJ)/tests/%.o $(call lib_objs,$(SOBJ)) \
		$(patsubst %.c,$(SOBJ)/%.o,$(TEST_LIB))
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(LDLIBS)

build/bench/%: $(OBJ)/bench/%.o $(call lib_objs,$(OBJ)) \
		$(patsubst %.c,$(OBJ)/%.o,$(BENCH_LIB))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# t7060 runs bench-scenarios while it holds the kernel lock
tests: $(TESTS) $(STESTS) foliosim build/bench/bench-scenarios

check: tests
	@tests/run-tests.sh $(TESTS) $(STESTS)

bench: $(patsubst bench/%.c,build/bench/%,$(BENCH_SRC)) foliosim
	@for b in $(patsubst bench/%.c,build/bench/%,$(BENCH_SRC)); do \
		$$b || exit 1; done

fuzz:
	@mkdir -p build/fuzz
	clang -std=gnu11 -Isrc -g -O1 -fsanitize=fuzzer,address,undefined \
		fuzz/fuzz-parse.c $(sort $(wildcard src/scenario/*.c)) \
		src/config/settings.c -o build/fuzz/fuzz-parse

clean:
	rm -rf build foliosim

.PHONY: all check tests bench fuzz clean FORCE
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)

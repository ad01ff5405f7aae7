/*
 * fuzz.h - what every fuzz target and the replay driver share.
 *
 * Each fuzz/<parser>_fuzz.c defines LLVMFuzzerTestOneInput.  It is linked
 * either with libFuzzer (-fsanitize=fuzzer, the <parser>_fuzz programs) or
 * with replay_main.c (the <parser>_replay programs that the ordinary test
 * suite runs over fuzz/corpus/<parser>/ and fuzz/regress/<parser>/).
 *
 * A target returns 0 for every input, valid or not.  It calls abort() only
 * when a property that must hold for all inputs fails (a bug in ward), so
 * that libFuzzer and the replay program both report it as a crash.
 */
#ifndef WARD_FUZZ_FUZZ_H
#define WARD_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif

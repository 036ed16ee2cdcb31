"""run.py — the Python driver of the real-shaped job (tests/jobs/detsim/detsim.cpp says what it leaks).

usage: python3 run.py LIBDETSIM EVENTS [THREADS]

Like an experiment's steering script, it does its own start-up work first (imports, a configuration)
and loads the C++ library through ctypes only then, long after the process started; each event is one
call into the library, which runs det::DetSimAlg::execute().
"""
import ctypes
import json
import sys


def main():
    lib_path, events = sys.argv[1], int(sys.argv[2])
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    config = json.loads(json.dumps({"events": events, "threads": threads, "seed": 20261201}))
    lib = ctypes.CDLL(lib_path)
    lib.detsim_init.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.detsim_finish.restype = ctypes.c_double
    lib.detsim_init(config["events"], config["threads"])
    for _ in range(config["events"]):
        lib.detsim_event()
    checksum = lib.detsim_finish()
    print("run.py: %d events, checksum %.1f" % (config["events"], checksum))


if __name__ == "__main__":
    main()

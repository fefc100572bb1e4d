"""The product's settings with the benchmark's URLs (bench.urls): for bench/api.py only."""

from bonecare.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

"""A truly bare Django project for the API benchmark's yardstick: DRF and one view that
returns {"ok": true}; none of BoneCare's apps, middleware or settings (bench/api.py)."""

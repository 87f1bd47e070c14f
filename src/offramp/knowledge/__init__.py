"""Knowledge that stays current: model lifecycle data, the maintainers' refresh report, and the live probe."""

"""Pure computation: no ORM, no request. Plain dataclasses in, plain results out."""

"""Vendor connector tests: recorded responses through the real VendorHttp."""

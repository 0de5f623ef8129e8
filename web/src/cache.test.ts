import { describe, expect, it } from 'vitest'
import { replaceById } from './cache'

describe('replaceById', () => {
  it('puts the updated item in place of the one with its id, keeping the order', () => {
    const list = [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]
    expect(replaceById({ id: 'b', n: 3 })(list)).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 3 },
    ])
    expect(replaceById({ id: 'c', n: 9 })(list)).toEqual(list)
  })

  it('leaves an uncached list alone', () => {
    expect(replaceById({ id: 'a' })(undefined)).toBeUndefined()
  })
})

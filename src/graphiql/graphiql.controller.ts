import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ASSET_PREFIX, assetPath, GRAPHIQL_ASSETS } from './graphiql-assets';

/** Serves the IDE's scripts and styles from node_modules (see graphiql-assets.ts). */
@Controller(ASSET_PREFIX.slice(1))
export class GraphiQLAssetsController {
  @Get(':name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    const file = assetPath(name);
    if (!file) throw new NotFoundException();
    res.type(GRAPHIQL_ASSETS[name].type).setHeader('cache-control', 'public, max-age=86400');
    res.sendFile(file);
  }
}
